using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Replay;

/// <summary>How to replay: which journal, how fast, how long to wait for the last settlements.</summary>
public sealed record ReplayOptions
{
    /// <summary><c>sqlite</c> (a fresh file in a temporary directory) or a PostgreSQL connection string (<c>Host=…</c>).</summary>
    public string Journal { get; init; } = "sqlite";

    /// <summary>0: as fast as the node takes it; 1: real time; N: N times real time.</summary>
    public double Speed { get; init; }

    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>As fast as possible, at most this much feed time may be unacknowledged (the node's lateness bound must hold).</summary>
    public long MaxSkewMs { get; init; } = 1_000;

    public int MaxInFlight { get; init; } = 2_048;

    /// <summary>Set (<c>host:port</c>) to replay over MQTT: devices publish at QoS 1, the node subscribes with a persistent session.</summary>
    public string? Broker { get; init; }

    /// <summary>
    /// Replay over MQTT through a broker of the replay's own (MQTTnet in this process, on a free port), as a
    /// single-box store does: the same path as <see cref="Broker"/> without installing one.
    /// </summary>
    public bool EmbeddedBroker { get; init; }

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Called once the node is up (the demo starts its console here); what it returns is disposed when the replay ends.</summary>
    public Func<StoreNode, CancellationToken, Task<IAsyncDisposable>>? Attach { get; init; }

    /// <summary>Called once every decision is in, before the node stops (the demo keeps the store running here).</summary>
    public Func<CancellationToken, Task>? BeforeStop { get; init; }

    /// <summary>Told the wall-clock moment the feed's time 0 is paced from (a message at <c>At</c> is sent <c>At / Speed</c> ms later).</summary>
    public Action<DateTimeOffset>? ClockStarted { get; init; }
}

/// <summary>What the node decided about one visit.</summary>
public sealed record ReplayedLine(string Sku, int Units);

public sealed record ReplayedVisit(string VisitId, string PayerId, string Outcome, IReadOnlyList<ReplayedLine> Lines, long Total, IReadOnlyList<string> ReviewReasons, double? ReceiptLatencyMs);

/// <summary>An entry decision as the gate device saw it: the command, and how long after the identification it came.</summary>
public sealed record EntryDecisionSeen(string Gate, long Ts, string Command, string? Reason, double LatencyMs);

/// <summary>Everything a replay observed: deliveries, decisions, receipts, alerts, time taken.</summary>
public sealed record ReplayOutcome(
    string Scenario,
    string Store,
    string Journal,
    double Speed,
    long Messages,
    long Accepted,
    long Duplicates,
    long Late,
    long Rejected,
    double WallSeconds,
    double MessagesPerSecond,
    IReadOnlyList<ReplayedVisit> Visits,
    IReadOnlyList<EntryDecisionSeen> Entries,
    IReadOnlyDictionary<string, long> Alerts,
    IReadOnlyDictionary<string, long> Rejections);

/// <summary>
/// Replays a feed through a real node in-process: the same payload bytes the devices sent, on their topics, in
/// arrival order, at real time, N× or as fast as the node acknowledges; then lets the store clock pass the
/// settlement bound and collects every decision.
/// </summary>
public static class ReplayRunner
{
    public static async Task<ReplayOutcome> RunAsync(
        FeedHeader header,
        IReadOnlyList<FeedMessage> messages,
        GroundTruth truth,
        StoreLayout layout,
        ReplayOptions options,
        Action<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(options);
        var directory = Directory.CreateTempSubdirectory("smartstore-replay-");
        try
        {
            var transport = new InProcessTransport(commandCapacity: 100_000);
            var nodeOptions = new StoreNodeOptions(layout) { Journal = JournalOf(options.Journal, directory.FullName), KeyVault = new KeyVaultSettings { Path = Path.Combine(directory.FullName, "keys.db") } };
            var commands = new LateBoundPublisher { Target = transport };
            await using var node = await StoreNode.StartAsync(nodeOptions, new ResilientGateway(new SimulatedPsp(new PspSimulation()), new RetrySettings()), commands, options.Loggers, cancellationToken);
            transport.Connect(node);
            // Declared before the replay's clients, so it stops after them.
            await using var embedded = options.EmbeddedBroker
                ? await Messaging.Transport.EmbeddedBroker.StartAsync(new Messaging.Transport.EmbeddedBrokerOptions { Port = 0 }, options.Loggers.CreateLogger("SmartStore.Broker"), cancellationToken)
                : null;
            var brokerAddress = embedded is not null ? $"{Messaging.Transport.EmbeddedBrokerOptions.Host}:{embedded.Port}" : options.Broker;
            await using var mqtt = brokerAddress is { } broker ? await MqttReplay.StartAsync(broker, header.Store, node, commands, transport, cancellationToken) : null;
            await using var attached = options.Attach is { } attach ? await attach(node, cancellationToken) : null;
            foreach (var shopper in truth.Shoppers)
            {
                await node.EnrolAsync(shopper.Id, shopper.Name, shopper.FaceRef, shopper.Token, DateTimeOffset.UtcNow, cancellationToken);
            }

            var clock = Stopwatch.StartNew();
            options.ClockStarted?.Invoke(DateTimeOffset.UtcNow);
            var identificationsSent = new Dictionary<(string Gate, long Ts), long>();
            using var stopReading = new CancellationTokenSource();
            var received = new List<(PublishedCommand Command, long At)>();
            var reader = Task.Run(
                async () =>
                {
                    try
                    {
                        await foreach (var command in transport.Commands.ReadAllAsync(stopReading.Token))
                        {
                            received.Add((command, clock.ElapsedTicks));
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        // The replay is over.
                    }
                },
                CancellationToken.None);
            var counts = new long[Enum.GetValues<Delivery>().Length];
            if (mqtt is not null)
            {
                await mqtt.SendAsync(messages, options.Speed, identificationsSent, clock, counts, progress, cancellationToken);
            }
            else
            {
                await SendAsync(transport, messages, options, clock, identificationsSent, counts, progress, cancellationToken);
            }

            await node.AdvanceClockAsync(header.EndMs + nodeOptions.Floor.SettlementBoundMs + 1_000, cancellationToken);
            await WaitForSettlementsAsync(node, options.SettleTimeout, cancellationToken);
            var wall = clock.Elapsed.TotalSeconds;
            if (options.BeforeStop is { } beforeStop)
            {
                await beforeStop(cancellationToken);
            }

            await stopReading.CancelAsync();
            await reader;
            var entries = EntryDecisions(received, identificationsSent);
            var health = node.Health.Snapshot();
            var floor = await node.GetFloorAsync(cancellationToken);
            var visits = new List<ReplayedVisit>();
            foreach (var issued in node.Receipts.Issued)
            {
                visits.Add(new ReplayedVisit(issued.VisitId, issued.PayerId, issued.Outcome == PaymentOutcome.Approved ? "charged" : "declined", [.. issued.Receipt.Lines.Select(l => new ReplayedLine(l.Sku, l.Units))], issued.Receipt.Total, [], issued.Latency?.TotalMilliseconds));
            }

            foreach (var review in node.Receipts.Review)
            {
                visits.Add(new ReplayedVisit(review.VisitId, review.PayerId, "review", [.. review.Receipt.Lines.Select(l => new ReplayedLine(l.Sku, l.Units))], review.Receipt.Total, review.Reasons, null));
            }

            foreach (var open in floor.Visits.Where(v => visits.All(d => d.VisitId != v.VisitId)))
            {
                visits.Add(new ReplayedVisit(open.VisitId, open.PayerId, "undecided", [.. open.Cart.Lines.Values.Select(l => new ReplayedLine(l.Sku, l.Units))], 0, open.ReviewReasons, null));
            }

            return new ReplayOutcome(
                header.Scenario,
                header.Store,
                (options.Journal.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) ? "postgresql" : "sqlite") + (mqtt is null ? string.Empty : embedded is null ? " over MQTT" : " over MQTT (embedded broker)"),
                options.Speed,
                messages.Count,
                counts[(int)Delivery.Accepted],
                counts[(int)Delivery.Duplicate],
                counts[(int)Delivery.Late],
                counts[(int)Delivery.Rejected],
                wall,
                messages.Count / Math.Max(wall, 1e-6),
                visits,
                entries,
                health.AlertsByKind,
                health.Rejected.Where(r => r.Value > 0).ToDictionary(r => r.Key.ToString(), r => r.Value));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static JournalSettings JournalOf(string journal, string directory) =>
        journal.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) ? JournalSettings.Postgres(journal) : JournalSettings.SqliteFile(Path.Combine(directory, "journal.db"));

    private static async Task SendAsync(
        InProcessTransport transport,
        IReadOnlyList<FeedMessage> messages,
        ReplayOptions options,
        Stopwatch clock,
        Dictionary<(string, long), long> identificationsSent,
        long[] counts,
        Action<long>? progress,
        CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(long At, ValueTask<Delivery> Delivery)>();
        long sent = 0;
        foreach (var message in messages)
        {
            await PaceAsync(message.At, options.Speed, clock, cancellationToken);
            while (inFlight.Count > 0 && (inFlight.Count >= options.MaxInFlight || inFlight.Peek().At < message.At - options.MaxSkewMs))
            {
                counts[(int)await inFlight.Dequeue().Delivery]++;
            }

            if (IsIdentification(message, out var gate, out var ts))
            {
                identificationsSent.TryAdd((gate, ts), clock.ElapsedTicks);
            }

            var delivery = transport.SendAsync(message.Topic, message.Payload, cancellationToken);
            if (delivery.IsCompletedSuccessfully)
            {
                // Already done (a duplicate, a rejection, a reading that changed nothing): no need to queue it.
                counts[(int)await delivery]++;
            }
            else
            {
                inFlight.Enqueue((message.At, delivery));
            }

            if ((++sent & 4095) == 0)
            {
                progress?.Invoke(sent);
            }
        }

        while (inFlight.Count > 0)
        {
            counts[(int)await inFlight.Dequeue().Delivery]++;
        }

        progress?.Invoke(sent);
    }

    /// <summary>At a replay speed (1 = real time, 0 = as fast as possible), waits until a message's moment in the feed.</summary>
    internal static async ValueTask PaceAsync(long atMs, double speed, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (speed > 0)
        {
            var wait = TimeSpan.FromMilliseconds(atMs / speed) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    internal static bool IsIdentification(FeedMessage message, out string gate, out long ts)
    {
        gate = string.Empty;
        ts = 0;
        if (!message.Topic.EndsWith("/events", StringComparison.Ordinal) || !Topics.TryParse(message.Topic, out _, out var kind, out gate) || kind != DeviceKind.Gate)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(message.Payload);
            var root = document.RootElement;
            var isEntry = root.TryGetProperty("event", out var e) && e.GetString() is "identified" or "token";
            ts = root.TryGetProperty("ts", out var t) && t.TryGetInt64(out var value) ? value : 0;
            return isEntry;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static List<EntryDecisionSeen> EntryDecisions(List<(PublishedCommand Command, long At)> received, Dictionary<(string, long), long> sent)
    {
        var decisions = new List<EntryDecisionSeen>();
        foreach (var (published, receivedAt) in received)
        {
            if (GateCommand.FromJson(published.Payload.Span) is not { } command)
            {
                continue;
            }

            var latency = sent.TryGetValue((command.Gate, command.Ts), out var at) ? (receivedAt - at) * 1000.0 / Stopwatch.Frequency : double.NaN;
            decisions.Add(new EntryDecisionSeen(command.Gate, command.Ts, command.Command, command.Reason, latency));
        }

        return decisions;
    }

    private static async Task WaitForSettlementsAsync(StoreNode node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var floor = await node.GetFloorAsync(cancellationToken);
            if (floor.Visits.Count == 0 && node.Receipts.Decided >= node.Health.Snapshot().EntriesAdmittedHere)
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
