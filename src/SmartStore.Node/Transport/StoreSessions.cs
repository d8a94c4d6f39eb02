using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Transport;

/// <summary>
/// How this node opens the MQTT session of a store it carries, and which stores' sessions are open here now.
/// A store's session is named after the store alone (<see cref="ClientIdFor"/>), the same on every node, so
/// when the store moves the broker hands its queue to the next node.
/// </summary>
/// <remarks>
/// The store entities can start before the node is ready to serve them (sharding restarts remembered stores as
/// the node joins); they wait here until <see cref="Serve"/> says which broker and which node.
/// </remarks>
public sealed class StoreSessions
{
    private readonly TaskCompletionSource<Served> _served = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, MqttTransport> _open = new(StringComparer.Ordinal);
    private volatile Served? _current;

    /// <summary>The stores whose sessions are open on this node, with their transports.</summary>
    public IReadOnlyDictionary<string, MqttTransport> Open => _open;

    /// <summary>
    /// The session's client id: <c>smartstore-node-{store}</c>; a client id set in the configuration names the
    /// session of a node that carries one store only (with a chain every node must agree on every store's name).
    /// </summary>
    public static string ClientIdFor(string storeId, MqttSessionOptions template, bool chain)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.ClientId.Length > 0 && !chain ? template.ClientId : $"smartstore-node-{storeId}";
    }

    /// <summary>Sets the broker (the template's host, port, credentials) and the node's inbox and command channel; once.</summary>
    public void Serve(MqttSessionOptions template, bool chain, IDeviceInbox inbox, MqttCommandChannel commands, ILogger log)
    {
        var served = new Served(template, chain, inbox, commands, log);
        if (!_served.TrySetResult(served))
        {
            throw new InvalidOperationException("this node already serves stores' sessions");
        }

        _current = served;
    }

    /// <summary>Opens the store's session (waiting until the node serves sessions at all).</summary>
    internal async Task<MqttTransport> OpenAsync(string storeId, Akka.Actor.ActorSystem system, CancellationToken cancellationToken)
    {
        var served = await _served.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var options = served.Template with { ClientId = ClientIdFor(storeId, served.Template, served.Chain) };
        var transport = await MqttTransport.StartAsync(options, storeId, served.Inbox, system, served.Log, served.Commands, cancellationToken).ConfigureAwait(false);
        _open[storeId] = transport;
        return transport;
    }

    internal void Closed(string storeId, MqttTransport transport) => _open.TryRemove(new KeyValuePair<string, MqttTransport>(storeId, transport));

    internal string ClientIdOf(string storeId) => ClientIdFor(storeId, _current?.Template ?? Unserved, _current?.Chain ?? true);

    private static readonly MqttSessionOptions Unserved = new() { ClientId = string.Empty };

    private sealed record Served(MqttSessionOptions Template, bool Chain, IDeviceInbox Inbox, MqttCommandChannel Commands, ILogger Log);
}
