namespace SmartStore.Messaging.Protocol;

/// <summary>
/// The topic schema: <c>smartstore/{store}/gate/{gate}/events</c>, <c>smartstore/{store}/gate/{gate}/frames</c> (the
/// gate camera's JPEG frames, binary), <c>smartstore/{store}/shelf/{shelf}/weight</c>,
/// <c>smartstore/{store}/camera/{camera}/observations</c>, and commands to gates on
/// <c>smartstore/{store}/gate/{gate}/commands</c>.
/// </summary>
public static class Topics
{
    public static string For(string store, DeviceKind kind, string device) => kind switch
    {
        DeviceKind.Gate => $"smartstore/{store}/gate/{device}/events",
        DeviceKind.Shelf => $"smartstore/{store}/shelf/{device}/weight",
        DeviceKind.Camera => $"smartstore/{store}/camera/{device}/observations",
        DeviceKind.GateCamera => $"smartstore/{store}/gate/{device}/frames",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind."),
    };

    public static string GateCommands(string store, string gate) => $"smartstore/{store}/gate/{gate}/commands";

    /// <summary>Where a running node publishes its health (retained), for operators and monitors.</summary>
    public static string NodeHealth(string store) => $"smartstore/{store}/node/health";

    /// <summary>The subscriptions a node needs for one store.</summary>
    public static IReadOnlyList<string> SubscriptionsFor(string store) =>
        [$"smartstore/{store}/gate/+/events", $"smartstore/{store}/gate/+/frames", $"smartstore/{store}/shelf/+/weight", $"smartstore/{store}/camera/+/observations"];

    /// <summary>Splits an inbound topic into store, device kind and device id; false for anything else.</summary>
    public static bool TryParse(string topic, out string store, out DeviceKind kind, out string device)
    {
        store = device = string.Empty;
        kind = default;
        var parts = topic?.Split('/') ?? [];
        if (parts.Length != 5 || parts[0] != "smartstore" || parts[1].Length == 0 || parts[3].Length == 0)
        {
            return false;
        }

        (var ok, kind) = (parts[2], parts[4]) switch
        {
            ("gate", "events") => (true, DeviceKind.Gate),
            ("gate", "frames") => (true, DeviceKind.GateCamera),
            ("shelf", "weight") => (true, DeviceKind.Shelf),
            ("camera", "observations") => (true, DeviceKind.Camera),
            _ => (false, default),
        };
        (store, device) = (parts[1], parts[3]);
        return ok;
    }
}
