using Akka.Actor;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Configuration;
using SmartStore.Node.Feeds;
using SmartStore.Node.Transport;
using SmartStore.Payments;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Node.Health;
using Spectre.Console;

namespace SmartStore.Node.Hosting;

/// <summary>
/// <c>smartstore-node run</c>: one store as a long-running service on the configured journal and broker, until
/// Ctrl-C or SIGTERM. Devices (or <c>mosquitto_pub</c>) publish to the store's topics; gate commands go back on
/// theirs; the node's health is published, retained, on <c>smartstore/{store}/node/health</c> and printed with
/// every receipt and review as they happen. A stop is graceful: what was received is stored and acknowledged.
/// </summary>
internal static class RunCommand
{
    public const string Usage = "usage: smartstore-node run [--config cluster.hocon] [--layout PATH] [--health-every 5s] [--enrol-demo-shoppers] [--console http://127.0.0.1:5080 --read-models CONNECTION] [--verbose]";

    /// <summary>The exit code of a node the cluster removed: not a failure of its own, but it must be started again.</summary>
    public const int DownedExitCode = 3;

    /// <summary>The environment variable that can hold the read models' connection string (it may carry a password).</summary>
    public const string ReadModelsVariable = "SMARTSTORE_READ_MODELS";

    /// <summary>
    /// Starts the operators' console beside the store (the executable supplies it: the console's project builds on
    /// this one) and returns what stops it, with the line to print about where it answers.
    /// </summary>
    public delegate Task<(IAsyncDisposable Console, string Banner)> ConsoleStarter(StoreNode node, string url, string readModels, ILoggerFactory loggers, CancellationToken cancellationToken);

    public static async Task<int> RunAsync(string[] args, CancellationToken stop, ConsoleStarter? startConsole = null)
    {
        if (!Arguments.TryParse(args, out var arguments, out var error))
        {
            Refusal.Print("error", error);
            Console.Error.WriteLine(Usage);
            return Refusal.ExitCode;
        }

        NodeSettings settings;
        StoreLayout layout;
        string layoutPath;
        var chain = new List<StoreLayout>();
        try
        {
            settings = await NodeSettings.LoadOrDefaultsAsync(arguments.ConfigPath, stop);
            layoutPath = arguments.LayoutPath ?? settings.LayoutPath ?? Path.Combine("store-layouts", "small-convenience.yaml");
            layout = LayoutReader.Parse(await File.ReadAllTextAsync(layoutPath, stop), layoutPath);
            foreach (var path in settings.ChainPaths)
            {
                chain.Add(LayoutReader.Parse(await File.ReadAllTextAsync(path, stop), path));
            }
        }
        catch (Exception exception) when (exception is InvalidLayoutException or ConfigurationException or IOException)
        {
            return Refusal.Print("cannot start", exception.Message);
        }

        StoreNodeOptions options;
        try
        {
            options = settings.ToOptions(layout, chain);
        }
        catch (ArgumentException exception)
        {
            // The options refuse a chain with two layouts of one store.
            return Refusal.Print("cannot start", $"{settings.Source}: 'smartstore.store.chain': {exception.Message}");
        }

        var readModels = arguments.ReadModels ?? Environment.GetEnvironmentVariable(ReadModelsVariable);
        if (arguments.ConsoleUrl is not null && (startConsole is null || string.IsNullOrWhiteSpace(readModels)))
        {
            return Refusal.Print("cannot start", startConsole is null
                ? "this build of the node has no console"
                : $"--console needs the read models' PostgreSQL: --read-models 'Host=…;Database=…' or {ReadModelsVariable}");
        }

        if (settings.Transport.Kind is not (TransportSettings.MqttKind or TransportSettings.EmbeddedKind))
        {
            return Refusal.Print("cannot start", $"{settings.Source} sets no device transport this process can serve: 'smartstore.transport.kind' is '{settings.Transport.Kind}'. "
                + "Set it to mqtt (with smartstore.transport.mqtt.host and port) or embedded (a broker in this process, smartstore.transport.embedded.port), "
                + "or use `smartstore-node demo` or the simulator, whose devices run in-process.");
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(arguments.Verbose ? LogLevel.Information : LogLevel.Warning));

        // The embedded broker starts first and, declared before the node, is disposed after it: devices and the
        // node's client keep their broker until the node has stored and acknowledged what it received.
        EmbeddedBroker? embedded = null;
        if (settings.Transport.Broker is { } brokerOptions)
        {
            try
            {
                embedded = await EmbeddedBroker.StartAsync(brokerOptions, loggers.CreateLogger("SmartStore.Messaging.EmbeddedBroker"), stop);
            }
            catch (System.Net.Sockets.SocketException exception)
            {
                AnsiConsole.MarkupLine($"[red]cannot start the embedded broker on {EmbeddedBrokerOptions.Host}:{brokerOptions.Port}:[/] {Markup.Escape(exception.Message)}");
                return 1;
            }
        }

        await using var broker = embedded;
        var mqtt = broker is null ? settings.Transport.MqttFor(layout.StoreId) : broker.ClientOptions(settings.Transport.MqttFor(layout.StoreId));
        var commands = new LateBoundPublisher();
        var psp = new SimulatedPsp(new PspSimulation());
        StoreNode starting;
        try
        {
            starting = await StoreNode.StartAsync(options, new ResilientGateway(psp, new RetrySettings()), commands, loggers, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while joining the cluster: nothing was received yet, so there is nothing to store.
            return 0;
        }

        await using var node = starting;
        if (arguments.EnrolDemoShoppers)
        {
            try
            {
                foreach (var shopper in DemoScenario.Build(layout, 0).Shoppers)
                {
                    await node.EnrolAsync(shopper.ShopperId, shopper.Name, shopper.FaceTemplateRef, shopper.PaymentToken, DateTimeOffset.UtcNow, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped while enrolling: each enrolment is stored or not at all, and no device message was taken yet.
                return 0;
            }
        }

        // Gate commands and health leave through one connection of this node's own; each store's session belongs
        // to the store's entity, wherever in the cluster sharding puts it, and moves with it.
        var mqttLog = loggers.CreateLogger("SmartStore.Node.Mqtt");
        var self = Akka.Cluster.Cluster.Get(node.System).SelfAddress;
        var nodeName = self.ToString();
        MqttCommandChannel channel;
        IReadOnlyList<Protocol.StoreSessionState> opened;
        try
        {
            var commandsId = options.Chain.Count > 0 ? $"smartstore-commands-{self.Host}-{self.Port}" : $"{StoreSessions.ClientIdFor(layout.StoreId, mqtt, chain: false)}-commands";
            channel = await MqttCommandChannel.StartAsync(mqtt with { ClientId = commandsId }, node.System, stop);
            commands.Target = channel;
            opened = await node.ServeStoresAsync(mqtt, channel, mqttLog, TimeSpan.FromMinutes(5), stop);
            if (opened.FirstOrDefault(s => !s.Open) is { } failed)
            {
                AnsiConsole.MarkupLine($"[red]cannot reach the broker:[/] store {Markup.Escape(failed.StoreId)}: {Markup.Escape(failed.Error ?? "no session")}");
                return 1;
            }
        }
        catch (MqttException exception)
        {
            AnsiConsole.MarkupLine($"[red]cannot reach the broker:[/] {Markup.Escape(exception.Message)}");
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before the broker answered: nothing was received, so nothing is left to store.
            return 0;
        }

        await using var leaving = channel;
        (IAsyncDisposable Console, string Banner)? console = null;
        if (arguments.ConsoleUrl is not null)
        {
            try
            {
                console = await startConsole!(node, arguments.ConsoleUrl, readModels!, loggers, stop);
            }
            catch (ArgumentException exception)
            {
                // A read-models connection string Npgsql cannot read: bad input, like a bad argument.
                await node.DrainStoresAsync(CancellationToken.None);
                return Refusal.Print("cannot start the console", exception.Message);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped while the console was starting: a graceful stop with nothing to show.
                await node.DrainStoresAsync(CancellationToken.None);
                return 0;
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or System.Data.Common.DbException or System.Net.Sockets.SocketException)
            {
                AnsiConsole.MarkupLine($"[red]cannot start the console:[/] {Markup.Escape(exception.Message)}");
                await node.DrainStoresAsync(CancellationToken.None);
                return 1;
            }
        }

        PrintBanner(layout, layoutPath, settings, mqtt, broker, arguments.EnrolDemoShoppers, options.Chain, opened, nodeName);
        if (console is { } started)
        {
            AnsiConsole.MarkupLine(started.Banner);
        }

        var printed = new HashSet<string>(StringComparer.Ordinal);

        // A node the cluster downed (the split-brain resolver, after it was unreachable) has stopped its actor system:
        // it serves nothing any more, so it exits and its service manager starts it again as a new member.
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _ = node.System.WhenTerminated.ContinueWith(_ => serving.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            using var ticks = new PeriodicTimer(arguments.HealthEvery);
            do
            {
                await PublishHealthAsync(channel, node, nodeName, serving.Token);
                PrintDecisions(node.Receipts, printed, layout.Currency);
            }
            while (await ticks.WaitForNextTickAsync(serving.Token));
        }
        catch (Exception ended) when (serving.IsCancellationRequested && ended is OperationCanceledException or AskTimeoutException)
        {
            if (!stop.IsCancellationRequested)
            {
                AnsiConsole.MarkupLine("[red]this node was removed from the cluster (downed): its stores run on the other nodes; exiting so it can be started again[/]");
                return DownedExitCode;
            }

            AnsiConsole.MarkupLine("[grey]stopping: storing and acknowledging what was received …[/]");
        }

        if (console is { } running)
        {
            await running.Console.DisposeAsync();
        }

        await node.DrainStoresAsync(CancellationToken.None);
        PrintDecisions(node.Receipts, printed, layout.Currency);
        var health = node.Health.Snapshot();
        AnsiConsole.MarkupLine($"stopped · {Markup.Escape(Counters(health))} · entries {health.EntriesAdmitted} admitted, {health.EntriesDenied} denied · {node.Receipts.Issued.Count} receipts, {node.Receipts.Review.Count} in review{(broker is null ? string.Empty : $" · embedded broker: {broker.Refused:N0} clients refused, {broker.Overflowed:N0} queued messages dropped")}");
        return 0;
    }

    private static async Task PublishHealthAsync(MqttCommandChannel channel, StoreNode node, string nodeName, CancellationToken cancellationToken)
    {
        // One snapshot for every topic and the line, so they cannot differ by what arrived in between.
        var health = node.Health.Snapshot();
        var here = node.Sessions.Open.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var statuses = new List<MqttTransportStatus>();
        foreach (var (store, transport) in here)
        {
            var status = await transport.StatusAsync(cancellationToken);
            statuses.Add(status);
            var report = HealthReport.From(store, nodeName, DateTimeOffset.UtcNow, status, health, node.Receipts) with
            {
                Faces = node.FaceEntryOn ? node.Health.Faces.Summary() : null,
            };

            // Not awaited to the broker's answer: a broker that is away must not stop the node reporting locally.
            _ = channel.PublishAsync(Topics.NodeHealth(store), report.ToJson(), retain: true, cancellationToken).AsTask()
                .ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        var connected = statuses.Count > 0 ? statuses.All(s => s.Connected) : (await channel.StatusAsync(cancellationToken)).Connected;
        var stores = here.Count == 0 ? "no store's session here" : $"stores here {string.Join(", ", here.Select(s => s.Key))}";
        AnsiConsole.MarkupLine($"[grey]{DateTimeOffset.Now:HH:mm:ss}[/] broker {(connected ? "[green]connected[/]" : "[red]away[/]")} · {Markup.Escape(stores)} · received {statuses.Sum(s => s.Received):N0} · stored & acknowledged {statuses.Sum(s => s.Acknowledged):N0} · {Markup.Escape(Counters(health))} · receipts {node.Receipts.Issued.Count} · review {node.Receipts.Review.Count}");
    }

    private static void PrintDecisions(ReceiptBook receipts, HashSet<string> printed, string currency)
    {
        foreach (var issued in receipts.Issued.Where(r => printed.Add(r.VisitId)))
        {
            var lines = string.Join(", ", issued.Receipt.Lines.Select(l => $"{l.Units}× {l.Name}"));
            AnsiConsole.MarkupLine($"[green]receipt[/] {Markup.Escape(issued.VisitId)} · payer {Markup.Escape(issued.PayerId)} · {Markup.Escape(lines.Length > 0 ? lines : "nothing taken")} · total {(issued.Receipt.Total / 100.0).ToString("0.00", CultureInfo.InvariantCulture)} {currency} · {issued.Outcome}");
        }

        foreach (var review in receipts.Review.Where(r => printed.Add($"review:{r.VisitId}")))
        {
            AnsiConsole.MarkupLine($"[yellow]review[/] {Markup.Escape(review.VisitId)} · payer {Markup.Escape(review.PayerId)} · {Markup.Escape(string.Join("; ", review.Reasons))}");
        }
    }

    private static void PrintBanner(StoreLayout layout, string layoutPath, NodeSettings settings, MqttSessionOptions mqtt, EmbeddedBroker? broker, bool demoShoppers, IReadOnlyList<StoreLayout> chain, IReadOnlyList<Protocol.StoreSessionState> sessions, string nodeName)
    {
        AnsiConsole.Write(new Rule($"[bold]SmartStore node: {Markup.Escape(layout.Name)} ({Markup.Escape(layout.StoreId)})[/]").LeftJustified());
        var journal = settings.Journal.Describe();
        AnsiConsole.MarkupLine($"layout [blue]{Markup.Escape(layoutPath)}[/] · journal [blue]{Markup.Escape(journal)}[/] · payments: PSP simulator{(demoShoppers ? " · demo shoppers enrolled" : string.Empty)}");
        if (chain.Count > 0)
        {
            // Every store's entities, its session included, run on whichever node sharding puts them.
            AnsiConsole.MarkupLine($"chain: this store and [blue]{Markup.Escape(string.Join(", ", chain.Select(c => c.StoreId)))}[/] (sharded over the cluster) · this node [blue]{Markup.Escape(nodeName)}[/] · seed nodes {(settings.SeedNodes.Count == 0 ? "none (a cluster of one)" : Markup.Escape(string.Join(", ", settings.SeedNodes)))}");
        }
        if (broker is not null)
        {
            AnsiConsole.MarkupLine($"broker: [blue]embedded MQTTnet on {broker.Host}:{broker.Port}[/] (sessions in memory, up to {broker.Options.MaxQueuedMessages:N0} queued messages each; {(broker.Options.Username is null ? "any client on this machine" : "username and password")})");
        }

        AnsiConsole.MarkupLine($"broker [blue]{(mqtt.TlsCaFile is null ? "mqtt" : "mqtts")}://{Markup.Escape(mqtt.Host)}:{mqtt.Port}[/] (MQTT {(mqtt.ProtocolVersion == 5 ? "5" : "3.1.1")}, QoS 1, acknowledged once stored) · MQTTnet {MqttSession.LibraryVersion}");
        foreach (var session in sessions)
        {
            AnsiConsole.MarkupLine($"  store [blue]{Markup.Escape(session.StoreId)}[/]: session [blue]{Markup.Escape(session.ClientId)}[/] on {(session.Node == nodeName ? "[green]this node[/]" : Markup.Escape(session.Node))}");
        }

        foreach (var topic in Topics.SubscriptionsFor(layout.StoreId))
        {
            AnsiConsole.MarkupLine($"  devices → [blue]{Markup.Escape(topic)}[/]");
        }

        AnsiConsole.MarkupLine($"  gates   ← [blue]{Markup.Escape(Topics.GateCommands(layout.StoreId, "+"))}[/] · health ← [blue]{Markup.Escape(Topics.NodeHealth(layout.StoreId))}[/] (retained)");
        AnsiConsole.MarkupLine(settings.Vision is { } vision
            ? $"face entry [green]on[/] · ONNX Runtime {vision.Provider.ToString().ToUpperInvariant()} · {vision.Workers} workers · match ≥ {settings.FaceEntry.Match.Threshold:0.00} leading by {settings.FaceEntry.Match.Margin:0.00} · liveness {(settings.FaceEntry.Liveness.Required ? $"motion over {settings.FaceEntry.Liveness.MinFrames} frames" : "off")}"
            : $"face entry [yellow]off[/]: {Markup.Escape(settings.VisionOff ?? "not configured")} (tokens and app codes still work)");
        AnsiConsole.MarkupLine("[grey]Ctrl-C or SIGTERM stops gracefully.[/]");
    }

    /// <summary>
    /// The device-message counters as the status line and the shutdown line both print them, from the node's one
    /// set of counters (<see cref="NodeHealth.Answered"/>), which the health topic and the console show as well.
    /// </summary>
    internal static string Counters(HealthSummary health) =>
        $"accepted {health.Accepted:N0} · duplicates {health.Duplicates:N0} · late {health.Late:N0} · rejected {health.RejectedTotal:N0} ({Reasons(health)})";

    private static string Reasons(HealthSummary health)
    {
        var reasons = health.Rejected.Where(r => r.Value > 0).Select(r => $"{r.Key} {r.Value}").ToList();
        return reasons.Count == 0 ? "none" : string.Join(", ", reasons);
    }

    private sealed record Arguments(string? ConfigPath, string? LayoutPath, TimeSpan HealthEvery, bool EnrolDemoShoppers, bool Verbose, string? ConsoleUrl = null, string? ReadModels = null)
    {
        public static bool TryParse(string[] args, out Arguments parsed, out string error)
        {
            parsed = new Arguments(null, null, TimeSpan.FromSeconds(5), false, false);
            error = string.Empty;
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--config" when value is not null:
                        parsed = parsed with { ConfigPath = value };
                        i++;
                        break;
                    case "--layout" when value is not null:
                        parsed = parsed with { LayoutPath = value };
                        i++;
                        break;
                    case "--health-every" when value is not null:
                        if (DurationArgument.Parse(value) is not { } every || every < TimeSpan.FromMilliseconds(100) || every > TimeSpan.FromHours(1))
                        {
                            error = $"--health-every takes a duration between 100ms and 1h such as 500ms or 5s, got '{value}'";
                            return false;
                        }

                        parsed = parsed with { HealthEvery = every };
                        i++;
                        break;
                    case "--console" when value is not null:
                        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/")
                        {
                            error = $"--console takes the address to listen on, such as http://127.0.0.1:5080, got '{value}'";
                            return false;
                        }

                        parsed = parsed with { ConsoleUrl = value };
                        i++;
                        break;
                    case "--read-models" when value is not null:
                        parsed = parsed with { ReadModels = value };
                        i++;
                        break;
                    case "--enrol-demo-shoppers":
                        parsed = parsed with { EnrolDemoShoppers = true };
                        break;
                    case "--verbose":
                        parsed = parsed with { Verbose = true };
                        break;
                    case "--config" or "--layout" or "--health-every" or "--console" or "--read-models":
                        error = $"{args[i]} needs a value";
                        return false;
                    default:
                        error = $"unknown argument '{args[i]}'";
                        return false;
                }
            }

            return true;
        }
    }
}
