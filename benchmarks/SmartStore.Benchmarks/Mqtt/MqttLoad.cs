using System.Diagnostics;
using System.Globalization;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using SmartStore.Testing;
using Spectre.Console;

namespace SmartStore.Benchmarks.Mqtt;

/// <summary>
/// The MQTT load run (issue 7), one broker and one feed for every row: the busy-hour feed replayed through the
/// node in-process (the baseline), the same feed published by the simulator's devices through Mosquitto at
/// QoS 1 into the node's MQTT transport (acknowledged only once stored), the SmartStore client alone on the
/// same payloads (publisher → broker → subscriber that handles at once), and <c>mosquitto_pub</c> →
/// <c>mosquitto_sub</c> alone.
/// </summary>
internal static class MqttLoad
{
    private const int TransportSample = 200_000;
    private const int ToolChunk = 40_000;

    /// <param name="args">An optional seed (42), and <c>transport</c> to run only the broker rows (quick tuning).</param>
    public static async Task RunAsync(string[] args)
    {
        var transportOnly = args.Contains("transport");
        var seed = BenchArguments.Int([.. args.Where(a => a != "transport")], 0, "the seed", 42, int.MinValue, int.MaxValue);
        var busy = Scenarios.Find("busy-hour")!;
        var layout = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", busy.Layout)), busy.Layout);
        var generated = Scenarios.Generate(busy, layout, seed);
        var count = generated.Messages.Count;
        AnsiConsole.MarkupLine($"busy-hour (seed {seed}): {count:N0} device messages, {generated.Truth.Visits.Count} visits; MQTTnet {MqttSession.LibraryVersion}");
        await using var broker = await MosquittoServer.StartAsync();

        var rows = new List<(string Name, long Messages, double Seconds, string Receipts, string Latency)>();
        await AnsiConsole.Status().StartAsync("in-process replay (baseline)", async status =>
        {
            if (!transportOnly)
            {
                var inProcess = Scoring.Score(generated.Truth, await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, layout, new ReplayOptions()));
                rows.Add(("simulator → node in-process (baseline)", count, inProcess.WallSeconds, $"{inProcess.Exact}/{inProcess.Visits}", Latencies(inProcess)));

                status.Status("MQTT replay: devices → Mosquitto → node");
                var overMqtt = Scoring.Score(generated.Truth, await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, layout, new ReplayOptions { Broker = $"{broker.Host}:{broker.Port}" }));
                rows.Add(("simulator → Mosquitto → node (QoS 1, ack after store)", count, overMqtt.WallSeconds, $"{overMqtt.Exact}/{overMqtt.Visits}", Latencies(overMqtt)));
            }

            var sample = generated.Messages.Take(TransportSample).ToList();
            status.Status("client alone: publisher → Mosquitto → subscriber");
            rows.Add(("SmartStore client alone: publish → Mosquitto → subscribe", sample.Count, await ClientsAloneAsync(broker, sample.Select(m => (m.Topic, m.Payload)).ToList()), "—", "—"));

            status.Status("mosquitto_pub → Mosquitto → mosquitto_sub");
            rows.Add(("mosquitto_pub → Mosquitto → mosquitto_sub", sample.Count, await MosquittoToolsAsync(broker, sample.Select(m => m.Payload).ToList()), "—", "—"));
        });

        var baseline = rows[0].Messages / rows[0].Seconds;
        Console.WriteLine();
        // With "transport" only the two broker rows run; they are then compared with the first of them.
        Console.WriteLine($"| path | messages | wall time | messages/s | rate vs {(transportOnly ? "our client alone" : "in-process replay")} | exact receipts | entry decision p50 / p99 · walk-out → receipt beyond the bound p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, messages, seconds, receipts, latency) in rows)
        {
            var rate = messages / seconds;
            Console.WriteLine($"| {name} | {messages:N0} | {seconds:0.00} s | {rate:N0} | {rate / baseline:0.00}× | {receipts} | {latency} |");
        }
    }

    private static string Latencies(ScoreReport report) =>
        $"{report.EntryDecisionMs.P50:0} / {report.EntryDecisionMs.P99:0} ms · {report.ReceiptBeyondBoundMs.P99:0} ms";

    /// <summary>Our client on both ends, nothing behind it: the transport's own ceiling on this machine.</summary>
    private static async Task<double> ClientsAloneAsync(MosquittoServer broker, List<(string Topic, byte[] Payload)> messages)
    {
        var options = new MqttSessionOptions { Host = broker.Host, Port = broker.Port, ClientId = $"bench-sub-{Guid.NewGuid():N}" };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("smartstore/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(options with { ClientId = $"bench-pub-{Guid.NewGuid():N}", CleanSession = true });
        await publisher.ConnectAsync();

        var clock = Stopwatch.StartNew();
        var receiving = Task.Run(async () =>
        {
            for (var i = 0; i < messages.Count; i++)
            {
                subscriber.Handled(await subscriber.Inbox.ReadAsync());
            }
        });
        var pending = new Queue<Task>();
        foreach (var (topic, payload) in messages)
        {
            if (pending.Count >= 1_000)
            {
                await pending.Dequeue();
            }

            pending.Enqueue(publisher.PublishAsync(topic, payload));
        }

        await Task.WhenAll(pending);
        await receiving;
        var seconds = clock.Elapsed.TotalSeconds;
        await subscriber.DisposeAsync();
        await MqttSession.EndSessionAsync(options);
        return seconds;
    }

    /// <summary>
    /// Mosquitto's own command-line clients at QoS 1: a persistent <c>mosquitto_sub</c> session is subscribed
    /// first (<c>-E</c>), then <c>mosquitto_pub -l</c> (a message per line) and the draining
    /// <c>mosquitto_sub -C N</c> run at once; the clock stops when the subscriber has all of them. The lines go
    /// in chunks of <see cref="ToolChunk"/>, one <c>mosquitto_pub</c> after another: a single one fed much more
    /// is disconnected by Mosquitto 2.0.11 ("out of memory") part-way, and its messages are lost.
    /// </summary>
    private static async Task<double> MosquittoToolsAsync(MosquittoServer broker, List<byte[]> payloads)
    {
        var chunks = payloads.Chunk(ToolChunk).Select(chunk => string.Concat(chunk.Select(p => System.Text.Encoding.UTF8.GetString(p) + "\n"))).ToList();
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string[] session = ["-h", broker.Host, "-p", port, "-q", "1", "-c", "-i", "bench-mosquitto-sub", "-t", "bench/tools"];
        (await CommandLineTool.RunAsync("mosquitto_sub", [.. session, "-E"])).EnsureSuccess();
        var clock = Stopwatch.StartNew();
        var subscriber = CommandLineTool.RunAsync("mosquitto_sub", [.. session, "-C", payloads.Count.ToString(CultureInfo.InvariantCulture), "-W", "300"]);
        foreach (var lines in chunks)
        {
            (await CommandLineTool.RunAsync("mosquitto_pub", ["-h", broker.Host, "-p", port, "-q", "1", "-t", "bench/tools", "-l"], lines)).EnsureSuccess();
        }

        (await subscriber).EnsureSuccess();
        return clock.Elapsed.TotalSeconds;
    }
}
