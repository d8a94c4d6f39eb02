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
        .floor-map { width: 100%; max-height: 70vh; background: #fff; border: 1px solid #d0d7de; }
        .floor-map .floor { fill: #fbfbfb; stroke: #8c959f; stroke-width: .05; }
        .floor-map .camera-view { fill: none; stroke: #d0d7de; stroke-width: .02; stroke-dasharray: .1 .1; }
        .floor-map .camera { fill: #6e7781; }
        .floor-map .shelf { fill: #eaeef2; stroke: #57606a; stroke-width: .04; }
        .floor-map .bin { fill: #fff; stroke: #8c959f; stroke-width: .02; transition: fill .3s; }
        .floor-map .bin.flash-pick { fill: #2da44e; }
        .floor-map .bin.flash-put-back { fill: #d4a72c; }
        .floor-map .gate { stroke-width: .15; }
        .floor-map .gate-entry { stroke: #0969da; }
        .floor-map .gate-exit { stroke: #8250df; }
        .floor-map .person circle { fill: #0969da; stroke: #fff; stroke-width: .05; }
        .change-review { margin: .4rem 0 1rem; }
        .change-review figcaption { font-weight: 600; }
        .weight-trace { width: 100%; max-width: 34rem; background: #fff; border: 1px solid #d0d7de; }
        .weight-trace .window { fill: #fff8c5; }
        .weight-trace .axis { stroke: #8c959f; stroke-width: 1; }
        .weight-trace .trace { fill: none; stroke: #0969da; stroke-width: 1.6; }
        .weight-trace .tick { font-size: 10px; fill: #57606a; }
        .floor-map .person.unknown circle { fill: #8c959f; }
        .floor-map .person.doubtful circle { fill: #cf222e; }
        .floor-map .person text { font-size: .35px; fill: #1b1f23; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
        dl.facts dt { font-weight: 600; }
        section { margin-bottom: 1.6rem; }
        """;
}
