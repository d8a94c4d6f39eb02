using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using SmartStore.Node.Health;
using SmartStore.Node.Projections;

namespace SmartStore.ReadModels;

/// <summary>How the feed batches events into Marten transactions, and how it backs off after a failure.</summary>
public sealed record ReadModelFeedSettings
{
    /// <summary>The most events written in one transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How long a batch waits to fill: the lag a quiet store sees on its read side, at most.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A read model the feed can drive: it folds batches of the events carrying <see cref="Tag"/> and stores them with
/// its checkpoint in one transaction, skipping what is at or below that checkpoint.
/// </summary>
public interface ITaggedReadModel
{
    /// <summary>The journal tag whose events it reads.</summary>
    string Tag { get; }

    /// <summary>The checkpoint stored with the documents (offset 0: none yet).</summary>
    Task<ProjectionCheckpoint> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Folds a batch and stores it with the new checkpoint in one transaction; returns that checkpoint.</summary>
    Task<ProjectionCheckpoint> ApplyAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken);
}

/// <summary>
/// Feeds a read model (<see cref="VisitReadModel"/>, <see cref="ShopperReadModel"/>) from the journal with
/// Akka.Persistence.Query: every event carrying its tag from the stored checkpoint on, in the journal's order, a
/// batch per transaction. If a write or the query fails (PostgreSQL restarting, say) the feed starts again from
/// the checkpoint that was stored, so nothing is lost and nothing is folded twice.
/// </summary>
public sealed class ReadModelFeed : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly UniqueKillSwitch _killSwitch;
    private readonly Task _completion;
    private readonly ChangeSignal _changed = new();
    private ProjectionCheckpoint _checkpoint;

    private ReadModelFeed(ActorSystem system, ITaggedReadModel model, ReadModelFeedSettings settings)
    {
        _system = system;

        // Until the first batch is written: nothing read yet (the stored checkpoint's id is the model's business).
        _checkpoint = new ProjectionCheckpoint(string.Empty, 0, 0);
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(TagProjection.ReadJournal);
        var restarting = RestartSource.OnFailuresWithBackoff(
            () => Source.FromTask(model.CheckpointAsync(CancellationToken.None))
                .ConcatMany(stored => journal.EventsByTag(model.Tag, Offset.Sequence(stored.Offset)))
                .GroupedWithin(settings.BatchSize, settings.BatchWindow)
                .SelectAsync(1, batch => model.ApplyAsync([.. batch], CancellationToken.None)),
            RestartSettings.Create(settings.MinBackoff, settings.MaxBackoff, 0.2));
        var (killSwitch, completion) = restarting
            .ViaMaterialized(KillSwitches.Single<ProjectionCheckpoint>(), Keep.Right)
            .ToMaterialized(Sink.ForEach<ProjectionCheckpoint>(Written), Keep.Both)
            .Run(system.Materializer());
        (_killSwitch, _completion) = (killSwitch, completion);
    }

    /// <summary>The checkpoint last written by this feed.</summary>
    public ProjectionCheckpoint Checkpoint => Volatile.Read(ref _checkpoint);

    public static ReadModelFeed Start(ActorSystem system, ITaggedReadModel model, ReadModelFeedSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(model);
        return new ReadModelFeed(system, model, settings ?? new ReadModelFeedSettings());
    }

    /// <summary>Waits until the stored checkpoint satisfies <paramref name="done"/> (for example: caught up with an offset).</summary>
    public Task WaitUntilAsync(Func<ProjectionCheckpoint, bool> done, CancellationToken cancellationToken) =>
        _changed.WaitUntilAsync(() => done(Checkpoint), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _killSwitch.Shutdown();

        // A node stopped by a signal may shut its actor system down first, and the stream's materializer with it;
        // then the stream never completes. Nothing is lost by not waiting: every batch went with its checkpoint.
        var ended = await Task.WhenAny(_completion, _system.WhenTerminated).ConfigureAwait(false);
        if (ended == _completion)
        {
            await _completion.ConfigureAwait(false);
        }
        else
        {
            _ = _completion.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private void Written(ProjectionCheckpoint checkpoint)
    {
        Volatile.Write(ref _checkpoint, checkpoint);
        _changed.Signal();
    }
}
