using System.Diagnostics;
using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Hosting;
using SmartStore.Node.Transport;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Replay;

/// <summary>
/// A replay over a real broker: the node subscribes through its MQTT transport (persistent session), the
/// devices publish the feed at QoS 1 at the replay speed, never far ahead of the node, and gate commands come
/// back over the broker to a listening "gate device" that feeds the in-process command reader.
/// </summary>
internal sealed class MqttReplay : IAsyncDisposable
{
    private readonly MqttTransport _node;
    private readonly MqttSession _devices;
    private readonly MqttSession _gates;
    private readonly Task _gateListener;
    private readonly MqttSessionOptions _session;
    private readonly StoreNode _store;
    private readonly MqttCommandChannel _commands;

    private const int MaxLead = 20_000;

    private MqttReplay(MqttSessionOptions session, StoreNode store, MqttTransport node, MqttCommandChannel commands, MqttSession devices, MqttSession gates, InProcessTransport commandSink)
    {
        _session = session;
        _store = store;
        _node = node;
        _commands = commands;
        _devices = devices;
        _gates = gates;
        _gateListener = Task.Run(async () =>
        {
            await foreach (var command in gates.Inbox.ReadAllAsync())
            {
                await commandSink.PublishAsync(command.Topic, command.Payload);
                gates.Handled(command);
            }
        });
    }

    public static async Task<MqttReplay> StartAsync(string broker, string storeId, StoreNode node, LateBoundPublisher commands, InProcessTransport commandSink, CancellationToken cancellationToken)
    {
        if (!TryParseBroker(broker, out var host, out var port))
        {
            throw new ArgumentException($"'{broker}' is not host:port", nameof(broker));
        }

        var run = Guid.NewGuid().ToString("N")[..8];
        var session = new MqttSessionOptions { Host = host, Port = port, ClientId = $"smartstore-node-{storeId}-{run}" };
        // Opened as the node's run opens it: by the store's own entity.
        var channel = await MqttCommandChannel.StartAsync(session with { ClientId = $"{session.ClientId}-commands" }, node.System, cancellationToken);
        commands.Target = channel;
        var opened = await node.ServeStoresAsync(session, channel, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromMinutes(5), cancellationToken);
        if (opened.FirstOrDefault(s => !s.Open) is { } failed)
        {
            await channel.DisposeAsync();
            throw new MqttException($"the store's session could not be opened on {host}:{port}: {failed.Error}");
        }

        var transport = node.Sessions.Open[storeId];
        var gates = new MqttSession(new MqttSessionOptions { Host = host, Port = port, ClientId = $"replay-gates-{run}", CleanSession = true });
        gates.Subscribe(Topics.GateCommands(storeId, "+"));
        await gates.ConnectAsync(cancellationToken);
        var devices = new MqttSession(new MqttSessionOptions { Host = host, Port = port, ClientId = $"replay-devices-{run}", CleanSession = true });
        await devices.ConnectAsync(cancellationToken);
        return new MqttReplay(session, node, transport, channel, devices, gates, commandSink);
    }

    /// <summary><c>host:port</c>, or a bare host on MQTT's port 1883.</summary>
    public static bool TryParseBroker(string broker, out string host, out int port)
    {
        var colon = broker.LastIndexOf(':');
        (host, port) = colon < 0 ? (broker, 1883) : (broker[..colon], int.TryParse(broker[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 0);
        return host.Length > 0 && port is >= 1 and <= 65_535;
    }

    /// <summary>Publishes every message at the replay speed (at most 1,000 unacknowledged by the broker, 20,000 ahead of the node) and waits until the node has them all.</summary>
    public async Task SendAsync(IReadOnlyList<FeedMessage> messages, double speed, Dictionary<(string, long), long> identificationsSent, Stopwatch clock, long[] counts, Action<long>? progress, CancellationToken cancellationToken)
    {
        var pending = new Queue<Task>();
        long sent = 0;
        foreach (var message in messages)
        {
            await ReplayRunner.PaceAsync(message.At, speed, clock, cancellationToken);
            if (pending.Count >= 1_000)
            {
                await pending.Dequeue();
            }

            // Devices never run far ahead of the store: a lead beyond this only grows the broker's queue for the
            // node's session (memory, and its persistence snapshots), not the throughput.
            while (sent - _node.Delivered > MaxLead)
            {
                await Task.Delay(1, cancellationToken);
            }

            if (ReplayRunner.IsIdentification(message, out var gate, out var ts))
            {
                identificationsSent.TryAdd((gate, ts), clock.ElapsedTicks);
            }

            pending.Enqueue(_devices.PublishAsync(message.Topic, message.Payload));
            if ((++sent & 4095) == 0)
            {
                progress?.Invoke(Math.Min(sent, _node.Delivered));
            }
        }

        await Task.WhenAll(pending);

        // Every message the broker accepted must reach the node; a broker that drops (max_queued_messages too
        // low for the node's session) is reported, not waited for for ever.
        var stalled = Stopwatch.StartNew();
        var last = _node.Delivered;
        while (_node.Delivered < messages.Count)
        {
            progress?.Invoke(_node.Delivered);
            await Task.Delay(20, cancellationToken);
            if (_node.Delivered != last)
            {
                (last, stalled) = (_node.Delivered, Stopwatch.StartNew());
            }
            else if (stalled.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"The broker acknowledged {messages.Count:N0} messages but only {last:N0} reached the node in 30 s: it dropped the rest (raise max_queued_messages for the node's session).");
            }
        }

        foreach (var delivery in Enum.GetValues<Delivery>())
        {
            counts[(int)delivery] = _node.Count(delivery);
        }

        progress?.Invoke(messages.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _devices.DisposeAsync();
        await _store.DrainStoresAsync();
        await _commands.DisposeAsync();
        await _gates.DisposeAsync();
        await _gateListener;

        // The replay's node is gone for good: a session left behind would collect every later replay's messages.
        await MqttSession.EndSessionAsync(_session);
    }
}
