namespace SmartStore.WebConsole;

/// <summary>The console's one stylesheet, served from the console itself (the CSP allows no other origin).</summary>
internal static class ConsoleStyle
{
    public const string Css = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f23; background: #f6f8fa; }
        header { background: #24292f; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1.2rem; align-items: center; }
        header a { color: #fff; text-decoration: none; }
        header form { margin-left: auto; }
        main { padding: 1.2rem; max-width: 72rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid #d0d7de; padding: .35rem .6rem; text-align: left; vertical-align: top; }
        th { background: #eaeef2; }
        form.stack { display: grid; gap: .6rem; max-width: 24rem; }
        .refusal { color: #a40e26; font-weight: 600; }
        .muted { color: #57606a; }
        """;
}
