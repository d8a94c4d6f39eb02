namespace SmartStore.Domain.Visits;

/// <summary>
/// A visit's id: the store, the gate, and the identification that opened it (its device time and sequence), so
/// a redelivered identification opens the same visit again, and visits of every store of a chain can share one
/// shard region although the stores' gates have the same ids.
/// </summary>
public static class VisitIds
{
    /// <param name="byFace">Identified by the gate's camera (its own sequence numbers), not a token or the gate's reader.</param>
    public static string For(string storeId, string gateId, long ts, long seq, bool byFace = false) =>
        byFace ? $"{storeId}-{gateId}-{ts}-f{seq}" : $"{storeId}-{gateId}-{ts}-{seq}";
}
