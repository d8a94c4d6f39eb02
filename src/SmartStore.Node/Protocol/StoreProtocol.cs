namespace SmartStore.Node.Protocol;

/// <summary>A message for one store's own entity (entity id: the store id), which holds the store's MQTT session.</summary>
public sealed record StoreEnvelope(string StoreId, StoreCommand Command) : IShardEnvelope
{
    public string EntityId => StoreId;

    public object Payload => Command;
}

public abstract record StoreCommand
{
    private StoreCommand()
    {
    }

    /// <summary>
    /// Starts the store's entity wherever sharding puts it (it is remembered from then on, so it comes back by
    /// itself after a crash or a move) and is answered with <see cref="StoreSessionState"/> once its session is
    /// open or could not be opened.
    /// </summary>
    public sealed record GetSession : StoreCommand
    {
        public static readonly GetSession Instance = new();
    }

    /// <summary>
    /// Drain the session (what was received is stored and acknowledged) and disconnect, staying alive without it
    /// until the shard hands the store over: a node that leaves sends it first, so the store's next node finds the
    /// rest of the device traffic waiting in the broker. Answered with <see cref="StoreSessionState"/>.
    /// </summary>
    public sealed record Drain : StoreCommand
    {
        public static readonly Drain Instance = new();
    }

    /// <summary>
    /// Starts the store's entity if it runs nowhere, and asks nothing: every node sends it for every store every few
    /// seconds, so a store whose shard was handed over comes back even when no device message is there to start it.
    /// </summary>
    public sealed record Wake : StoreCommand
    {
        public static readonly Wake Instance = new();
    }

    /// <summary>The shard's stop message when it moves the store: drain if not drained yet, then stop.</summary>
    public sealed record HandOff : StoreCommand
    {
        public static readonly HandOff Instance = new();
    }
}

/// <summary>
/// Where a store's session is, as its entity reports it: the node's address, and whether it is open there
/// (<see cref="Leaving"/>: drained, the store is about to move to another node).
/// </summary>
public sealed record StoreSessionState(string StoreId, string Node, string ClientId, bool Open, string? Error, bool Leaving = false);
