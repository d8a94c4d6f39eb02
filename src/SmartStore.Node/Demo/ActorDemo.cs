using System.Diagnostics;
using SmartStore.Actors;
using SmartStore.Node.Configuration;
using Spectre.Console;

namespace SmartStore.Node.Demo;

/// <summary>
/// The interim demonstration of the actor kernel (issue 2): shelves as entities of a region, fed by
/// concurrent sensor streams, with supervision of impossible readings, idle passivation and a
/// coordinated shutdown. The store issues replace it with a whole store.
/// </summary>
internal static class ActorDemo
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (!TryParse(args, out var shelves, out var readings, out var configPath, out var error))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
            return 2;
        }

        NodeSettings settings;
        try
        {
            settings = await NodeSettings.LoadAsync(configPath, cancellationToken);
        }
        catch (ConfigurationException exception)
        {
            AnsiConsole.MarkupLine($"[red]configuration error:[/] {Markup.Escape(exception.Message)}");
            return 2;
        }

        AnsiConsole.Write(new Rule("[bold]SmartStore actor kernel demo[/]").LeftJustified());
        AnsiConsole.MarkupLine($"Configuration: {Markup.Escape(File.Exists(configPath) ? configPath : "built-in defaults")} (throughput {settings.Actors.Throughput}, deadline {settings.Actors.ThroughputDeadline.TotalMilliseconds} ms, drain {settings.Actors.ShutdownDrainTimeout.TotalSeconds} s); the demo shortens idle passivation to 400 ms to show it.");
        await using var system = ActorSystem.Create("demo", settings.Actors);
        var region = system.SpawnRegion<ShelfCommand>(
            "shelves",
            ctx => new ShelfTally(ctx.EntityId),
            settings.Regions with { IdleTimeout = TimeSpan.FromMilliseconds(400), EntitySupervision = SupervisorStrategy.ResumeAlways });

        var clock = Stopwatch.StartNew();
        const int feeds = 4;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask($"{feeds} sensor feeds → {shelves} shelves", maxValue: readings);
            var sent = 0L;
            var senders = Enumerable.Range(0, feeds).Select(feed => Task.Run(
                () =>
                {
                    var random = new Random(feed);
                    for (var i = feed; i < readings; i += feeds)
                    {
                        var shelf = $"shelf-{random.Next(shelves):00}";

                        // One reading in a thousand is impossible: the shelf rejects it by failing, and is resumed.
                        var grams = i % 1000 == 999 ? 1_000_000 : random.Next(-3, 4) * 250;
                        region.Tell(shelf, new ShelfCommand.Weigh(grams));
                        if (Interlocked.Increment(ref sent) % 10_000 == 0)
                        {
                            task.Value = Interlocked.Read(ref sent);
                        }
                    }
                },
                cancellationToken)).ToArray();
            await Task.WhenAll(senders);
            task.Value = readings;
        });

        var table = new Table().Title("Shelf tallies (asked from each shelf actor)").AddColumns("shelf", "picks", "put-backs", "rejected", "net grams");
        long total = 0;
        for (var s = 0; s < shelves; s++)
        {
            var id = $"shelf-{s:00}";
            var tally = await region.Actor.AskAsync<RegionCommand<ShelfCommand>, ShelfReport>(
                reply => new RegionCommand<ShelfCommand>.Deliver(id, new ShelfCommand.Report(reply)), TimeSpan.FromSeconds(10), cancellationToken);
            total += tally.Picks + tally.PutBacks + tally.Rejected + tally.Unchanged;
            table.AddRow(id, tally.Picks.ToString("N0"), tally.PutBacks.ToString("N0"), tally.Rejected.ToString("N0"), tally.NetGrams.ToString("N0"));
        }

        var elapsed = clock.Elapsed;
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[green]{total:N0}[/] of {readings:N0} readings handled in {elapsed.TotalMilliseconds:N0} ms ([bold]{readings / elapsed.TotalSeconds:N0}[/] messages/s).");

        // Left alone, every shelf passivates after its idle timeout and comes back on the next message.
        var stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var waited = Stopwatch.StartNew();
        while (stats.Active + stats.Passivating > 0 && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100, cancellationToken);
            stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        AnsiConsole.MarkupLine($"Idle passivation: {stats.Passivated} shelves passivated, {stats.Active} still active.");
        region.Tell("shelf-00", new ShelfCommand.Weigh(250));
        var fresh = await region.Actor.AskAsync<RegionCommand<ShelfCommand>, ShelfReport>(
            reply => new RegionCommand<ShelfCommand>.Deliver("shelf-00", new ShelfCommand.Report(reply)), TimeSpan.FromSeconds(10), cancellationToken);
        stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5), cancellationToken);
        AnsiConsole.MarkupLine($"A new reading for shelf-00 restarted it on demand (its fresh tally: {fresh.PutBacks} put-back): {stats.Active} active, {stats.Started} starts in all.");

        var report = await system.ShutdownAsync(cancellationToken: cancellationToken);
        AnsiConsole.MarkupLine($"Shutdown: drained={report.Drained}, {report.ActorsAtStart} actors stopped children-first in {report.Elapsed.TotalMilliseconds:N0} ms, {report.MessagesDropped} messages dropped, {system.DeadLetters.Count} dead letters in all.");
        return total == readings ? 0 : 1;
    }

    private static bool TryParse(string[] args, out int shelves, out int readings, out string configPath, out string error)
    {
        shelves = 24;
        readings = 400_000;
        configPath = "cluster.hocon";
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--shelves" when int.TryParse(value, out var s) && s is > 0 and <= 1000:
                    shelves = s;
                    i++;
                    break;
                case "--readings" when int.TryParse(value, out var r) && r > 0:
                    readings = r;
                    i++;
                    break;
                case "--config" when value is not null:
                    configPath = value;
                    i++;
                    break;
                default:
                    error = $"bad argument '{args[i]}' (expected --shelves 1..1000, --readings N>0 or --config PATH)";
                    return false;
            }
        }

        return true;
    }
}

internal abstract record ShelfCommand
{
    public sealed record Weigh(int Grams) : ShelfCommand;

    public sealed record Report(ActorRef<ShelfReport> ReplyTo) : ShelfCommand;
}

internal sealed record ShelfReport(long Picks, long PutBacks, long Unchanged, long Rejected, long NetGrams);

/// <summary>A shelf that tallies weight changes; an impossible one throws and is counted when resumed.</summary>
internal sealed class ShelfTally(string shelfId) : Actor<ShelfCommand>
{
    private const int MaxPlausibleGrams = 50_000;
    private long _picks;
    private long _putBacks;
    private long _unchanged;
    private long _rejected;
    private long _net;

    protected override ValueTask ReceiveAsync(ShelfCommand message)
    {
        switch (message)
        {
            case ShelfCommand.Weigh { Grams: > MaxPlausibleGrams or < -MaxPlausibleGrams } weigh:
                _rejected++;
                throw new ArgumentOutOfRangeException(nameof(message), weigh.Grams, $"{shelfId}: impossible weight change");
            case ShelfCommand.Weigh { Grams: < 0 } weigh:
                _picks++;
                _net += weigh.Grams;
                break;
            case ShelfCommand.Weigh { Grams: > 0 } weigh:
                _putBacks++;
                _net += weigh.Grams;
                break;
            case ShelfCommand.Weigh:
                _unchanged++;
                break;
            case ShelfCommand.Report report:
                report.ReplyTo.Tell(new ShelfReport(_picks, _putBacks, _unchanged, _rejected, _net));
                break;
        }

        return default;
    }
}
