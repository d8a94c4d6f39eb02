using System.Text.Json.Nodes;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class SqliteJournalConformanceTests : JournalConformanceTests
{
    protected override IJournalFactory CreateJournals() => new SqliteJournals();
}

[Collection("postgres")]
public sealed class PostgresJournalConformanceTests(PostgresFixture postgres) : JournalConformanceTests
{
    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);
}

/// <summary>
/// What the node relies on from Akka.Persistence.Sql, checked on each database through the node's own journal
/// configuration and serializer: atomic multi-event writes, recovery in order, snapshots, tags, upcasting.
/// </summary>
public abstract class JournalConformanceTests : JournalTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private JournalSettings _journal = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _journal = await Journals.CreateAsync();
        await Journal.PrepareAsync(_journal);
    }

    private static EventCatalog Notes(int version = 1) => NodeCatalog.Create().Register("note-written", version, NoteJson.Default.NoteWritten);

    [Fact]
    public async Task Events_persisted_together_are_recovered_together_in_order_after_a_snapshot()
    {
        await using (var first = await JournalOnly.StartAsync(_journal, Notes()))
        {
            var notes = first.Notes("n1");
            await notes.Ask<Done>(new WriteNotes(["a", "b", "c"], []), Wait);
            await notes.Ask<Done>(new TakeSnapshot(), Wait);
            await notes.Ask<Done>(new WriteNotes(["d", "e"], []), Wait);
        }

        await using var second = await JournalOnly.StartAsync(_journal, Notes());
        var recovered = await second.Notes("n1").Ask<Recovered>(new GetRecovered(), Wait);

        Assert.Equal(["a", "b", "c"], recovered.Snapshot);
        Assert.Equal(["d", "e"], recovered.Events);
        Assert.Equal(5, recovered.SequenceNr);
    }

    [Fact]
    public async Task Tagged_events_are_read_by_tag_in_the_journals_order_after_any_offset()
    {
        await using var host = await JournalOnly.StartAsync(_journal, Notes());
        await host.Notes("x").Ask<Done>(new WriteNotes(["x1", "x2"], ["receipts"]), Wait);
        await host.Notes("y").Ask<Done>(new WriteNotes(["y1"], []), Wait);
        await host.Notes("z").Ask<Done>(new WriteNotes(["z1"], ["receipts"]), Wait);

        var all = await host.ByTagAsync("receipts", 0);
        var afterFirst = await host.ByTagAsync("receipts", all[0].Offset);

        Assert.Equal(["x1", "x2", "z1"], all.Select(e => e.Text));
        Assert.True(all.Select(e => e.Offset).SequenceEqual(all.Select(e => e.Offset).Order()));
        Assert.Equal(["x2", "z1"], afterFirst.Select(e => e.Text));
    }

    [Fact]
    public async Task An_event_stored_by_an_older_release_is_upcast_when_a_newer_one_recovers_it()
    {
        await using (var older = await JournalOnly.StartAsync(_journal, Notes(version: 1)))
        {
            await older.Notes("u").Ask<Done>(new WriteNotes(["kept"], []), Wait);
        }

        var newer = Notes(version: 2).AddUpcaster("note-written", 1, node => new JsonObject { ["Text"] = node["Text"]!.GetValue<string>() + " (v1)", ["Author"] = "unknown" });
        await using var host = await JournalOnly.StartAsync(_journal, newer);

        Assert.Equal(["kept (v1)"], (await host.Notes("u").Ask<Recovered>(new GetRecovered(), Wait)).Events);
    }

    private sealed record WriteNotes(string[] Texts, string[] Tags);

    private sealed record TakeSnapshot;

    private sealed record GetRecovered;

    private sealed record Recovered(IReadOnlyList<string> Snapshot, IReadOnlyList<string> Events, long SequenceNr);

    private sealed class NoteActor : UntypedPersistentActor
    {
        private readonly List<string> _notes = [];
        private readonly List<string> _recoveredEvents = [];
        private IReadOnlyList<string> _snapshot = [];
        private IActorRef? _snapshotFor;

        public NoteActor(string id) => PersistenceId = $"note-{id}";

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            switch (message)
            {
                case SnapshotOffer { Snapshot: NoteWritten snapshot }:
                    _snapshot = snapshot.Text.Split(',');
                    _notes.AddRange(_snapshot);
                    break;
                case NoteWritten note:
                    _recoveredEvents.Add(note.Text);
                    _notes.Add(note.Text);
                    break;
            }
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case WriteNotes write:
                    var left = write.Texts.Length;
                    var sender = Sender;
                    PersistAll(write.Texts.Select(t => write.Tags.Length == 0 ? (object)new NoteWritten(t, "ann") : new Tagged(new NoteWritten(t, "ann"), write.Tags)), e =>
                    {
                        _notes.Add(((NoteWritten)(e is Tagged tagged ? tagged.Payload : e)).Text);
                        if (--left == 0)
                        {
                            sender.Tell(Done.Instance);
                        }
                    });
                    break;
                case TakeSnapshot:
                    _snapshotFor = Sender;
                    SaveSnapshot(new NoteWritten(string.Join(',', _notes), "snapshot"));
                    break;
                case SaveSnapshotSuccess:
                    _snapshotFor?.Tell(Done.Instance);
                    break;
                case GetRecovered:
                    Sender.Tell(new Recovered(_snapshot, _recoveredEvents, LastSequenceNr));
                    break;
            }
        }
    }

    /// <summary>An actor system with only the node's journal configuration, and a way to read a tag.</summary>
    private sealed class JournalOnly(IHost host) : IAsyncDisposable
    {
        private readonly ActorSystem _system = host.Services.GetRequiredService<ActorSystem>();

        public static async Task<JournalOnly> StartAsync(JournalSettings journal, EventCatalog catalog)
        {
            var host = new HostBuilder()
                .ConfigureServices(s => s.AddAkka("conformance", b => b.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend).WithSmartStoreJournal(journal, catalog, TimeSpan.FromMilliseconds(100))))
                .Build();
            await host.StartAsync();
            return new JournalOnly(host);
        }

        public IActorRef Notes(string id) => _system.ActorOf(Props.Create(() => new NoteActor(id)));

        public async Task<List<(string Text, long Offset)>> ByTagAsync(string tag, long after)
        {
            var journal = PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(TagProjection.ReadJournal);
            var envelopes = await journal.CurrentEventsByTag(tag, Offset.Sequence(after)).RunWith(Sink.Seq<EventEnvelope>(), _system.Materializer());
            return [.. envelopes.Select(e => (((NoteWritten)e.Event).Text, ((Sequence)e.Offset).Value))];
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
