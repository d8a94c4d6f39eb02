using Akka.Actor;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Transport;

/// <summary>
/// The node's way out to devices (gate commands, the retained health): a clean MQTT connection of its own,
/// owned by a <see cref="MqttConnectionActor"/> that bounds its outbox. A node has one for every store it carries:
/// a gate's entity may run on any node of the cluster, wherever its store's session is.
/// </summary>
public sealed class MqttCommandChannel : ICommandPublisher, IAsyncDisposable
{
    private readonly MqttSession _connection;
    private readonly IActorRef _owner;
    private readonly ActorSystem _system;

    private MqttCommandChannel(MqttSession connection, IActorRef owner, ActorSystem system)
    {
        _connection = connection;
        _owner = owner;
        _system = system;
    }

    public string ClientId => _connection.Options.ClientId;

    public string? LastError => _connection.LastError;

    /// <summary>Connects a clean session with this client id; commands published while the broker is away wait in the outbox.</summary>
    public static async Task<MqttCommandChannel> StartAsync(MqttSessionOptions options, ActorSystem system, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(system);
        var connection = new MqttSession(options with { CleanSession = true });
        var owner = system.ActorOf(Props.Create(() => new MqttConnectionActor(connection, 10_000, 256)), $"mqtt-{Guid.NewGuid():N}");
        try
        {
            await connection.ConnectAsync(cancellationToken);
            return new MqttCommandChannel(connection, owner, system);
        }
        catch
        {
            system.Stop(owner);
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task<OutboxStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        _owner.Ask<OutboxStatus>(MqttConnectionCommand.GetStatus.Instance, TimeSpan.FromSeconds(10), cancellationToken);

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, payload, retain: false, cancellationToken);

    /// <summary>Publishes at QoS 1; completes when the broker has it.</summary>
    public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken = default) =>
        await _owner.Ask<Published>(new MqttConnectionCommand.Publish(topic, payload.ToArray(), retain), timeout: null, cancellationToken);

    /// <summary>Sends what is in flight and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _system.Stop(_owner);
    }

    /// <summary>As if the process died: the connection drops at once.</summary>
    public async ValueTask AbortAsync()
    {
        await _connection.AbortAsync();
        _system.Stop(_owner);
    }
}
