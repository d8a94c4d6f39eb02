namespace SmartStore.WebConsole.Live;

/// <summary>The scripts the console serves itself (the CSP allows scripts from its own origin only).</summary>
internal static class ClientScripts
{
    /// <summary>The SignalR browser client, fetched from the npm registry at build time and embedded.</summary>
    public static byte[] SignalR { get; } = Read("signalr.min.js");

    public static string Map { get; } = System.Text.Encoding.UTF8.GetString(Read("map.js"));

    private static byte[] Read(string name)
    {
        using var stream = typeof(ClientScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The console was built without its script '{name}'.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
