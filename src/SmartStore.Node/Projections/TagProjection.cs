using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Projections;

/// <summary>How often a projection stores its state with its offset.</summary>
public sealed record ProjectionSettings(int SnapshotEveryEvents = 500, TimeSpan? SnapshotAfterQuiet = null)
{
    public TimeSpan Quiet => SnapshotAfterQuiet ?? TimeSpan.FromSeconds(1);
}

/// <summary>
/// A read side fed by Akka.Persistence.Query: it reads every event with its tag, in the journal's order, from
/// the offset it last stored, and applies each to its model. Model and offset are stored together in one
/// snapshot (a persistent actor that only snapshots), so a restarted projection resumes exactly after the last
/// event its stored model contains: it neither loses an event nor applies one twice. It runs as a cluster
/// singleton, so there is one writer of its snapshots however many nodes there are.
/// </summary>
public abstract class TagProjection : UntypedPersistentActor, IWithTimers
{
    /// <summary>The query plugin of the node's journal (Akka.Persistence.Sql's read journal).</summary>
    public const string ReadJournal = "akka.persistence.query.journal.sql";

    private readonly ProjectionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _offset;
    private long _events;
    private long _sinceSnapshot;
    private bool _snapshotInFlight;

    protected TagProjection(string name, string tag, ProjectionSettings settings)
    {
        Name = name;
        Tag = tag;
        _settings = settings;
        PersistenceId = $"projection-{name}";
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public string Name { get; }

    public string Tag { get; }

    /// <summary>Applies one event (the envelope says whose and where) to the model.</summary>
    protected abstract void Apply(EventEnvelope envelope);

    /// <summary>The model as a stored snapshot, with the offset it contains everything up to.</summary>
    protected abstract object Snapshot(long offset, long events);

    /// <summary>Loads a stored snapshot into the model; returns its offset and event count.</summary>
    protected abstract (long Offset, long Events) Restore(object snapshot);

    /// <summary>Queries the concrete projection answers.</summary>
    protected virtual bool Answer(object message) => false;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer offer:
                (_offset, _events) = Restore(offer.Snapshot);
                break;
            case RecoveryCompleted:
                Read();
                Timers.StartPeriodicTimer("snapshot", SnapshotDue.Instance, _settings.Quiet);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case StreamStarted:
                Sender.Tell(Ack.Instance);
                break;
            case EventEnvelope envelope:
                Apply(envelope);
                _offset = envelope.Offset is Sequence sequence ? sequence.Value : _offset;
                _events++;
                _sinceSnapshot++;
                Sender.Tell(Ack.Instance);
                if (_sinceSnapshot >= _settings.SnapshotEveryEvents)
                {
                    StoreSnapshot();
                }

                break;
            case SnapshotDue when _sinceSnapshot > 0:
                StoreSnapshot();
                break;
            case SnapshotDue:
                break;
            case SaveSnapshotSuccess:
                _snapshotInFlight = false;
                break;
            case SaveSnapshotFailure failed:
                _snapshotInFlight = false;
                _log.Warning(failed.Cause, "projection {0}: snapshot failed; it will read again from offset {1} after a restart", Name, _offset);
                break;
            case StreamFailed failed:
                _log.Warning(failed.Cause, "projection {0}: reading tag '{1}' failed at offset {2}; reading again", Name, Tag, _offset);
                Timers.StartSingleTimer("read-again", ReadAgain.Instance, TimeSpan.FromSeconds(1));
                break;
            case ReadAgain:
                Read();
                break;
            case GetProjectionPosition:
                Sender.Tell(new ProjectionPosition(Name, _offset, _events));
                break;
            default:
                if (!Answer(message))
                {
                    Unhandled(message);
                }

                break;
        }
    }

    private void Read()
    {
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(ReadJournal);
        journal.EventsByTag(Tag, Offset.Sequence(_offset))
            .RunWith(Sink.ActorRefWithAck<EventEnvelope>(Self, StreamStarted.Instance, Ack.Instance, StreamFailed.Completed, error => new StreamFailed(error)), Context.Materializer());
    }

    private void StoreSnapshot()
    {
        if (_snapshotInFlight)
        {
            return;
        }

        // A projection stores no events, so every snapshot has sequence number 0 and replaces the one before.
        _snapshotInFlight = true;
        _sinceSnapshot = 0;
        SaveSnapshot(Snapshot(_offset, _events));
    }

    private sealed record StreamStarted
    {
        public static readonly StreamStarted Instance = new();
    }

    private sealed record Ack
    {
        public static readonly Ack Instance = new();
    }

    private sealed record StreamFailed(Exception? Cause)
    {
        public static readonly StreamFailed Completed = new((Exception?)null);
    }

    private sealed record SnapshotDue
    {
        public static readonly SnapshotDue Instance = new();
    }

    private sealed record ReadAgain
    {
        public static readonly ReadAgain Instance = new();
    }
}
