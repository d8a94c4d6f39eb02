using SmartStore.Testing;
using SmartStore.Actors;
using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>Event-sourced actors on each real store: recovery, snapshots, rejection and journal failure.</summary>
public abstract class EventSourcedActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private IStoreFactory _factory = null!;

    protected abstract IStoreFactory CreateFactory();

    public Task InitializeAsync()
    {
        _factory = CreateFactory();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static ActorRef<CartCommand> SpawnCart(ActorSystem system, EventSourcing persistence, string id = "1") =>
        system.Spawn(Props.Create<CartCommand>(() => new CartActor(id, persistence)).WithSupervision(EventSourcing.RestartWithBackoff), $"cart-{id}");

    private static Task<CartSnapshot> GetAsync(ActorRef<CartCommand> cart) =>
        cart.AskAsync<CartCommand, CartSnapshot>(r => new CartCommand.Get(r), Wait);

    [Fact]
    public async Task A_crashed_node_recovers_every_acknowledged_event_and_nothing_else()
    {
        var store = await _factory.OpenAsync();
        var persistence = new EventSourcing(store, store, TestTypes.Registry()) { SnapshotEvery = 0 };
        var system = ActorSystem.Create("node-a");
        var cart = SpawnCart(system, persistence);
        var acknowledged = new List<Task<long>>();
        for (var i = 0; i < 200; i++)
        {
            acknowledged.Add(cart.AskAsync<CartCommand, long>(r => new CartCommand.Add($"sku-{i}", r), Wait));
        }

        // Crash mid-stream: wait for some acknowledgements, then tear the system down with work in flight.
        await acknowledged[50];
        await system.ShutdownAsync(TimeSpan.Zero);
        var acked = acknowledged.Count(t => t.IsCompletedSuccessfully);
        await store.DisposeAsync();

        store = await _factory.OpenAsync();
        await using var system2 = ActorSystem.Create("node-b");
        var recovered = await GetAsync(SpawnCart(system2, new EventSourcing(store, store, TestTypes.Registry())));

        // Every acknowledged command is there; anything else was persisted but not yet acknowledged.
        Assert.InRange(recovered.Version, acked, 200);
        Assert.Equal(recovered.Version, recovered.State.Items);
        Assert.Equal(recovered.Version, recovered.RecoveredEvents);
        await store.DisposeAsync();
    }

    [Fact]
    public async Task Recovery_starts_from_the_latest_snapshot_and_replays_only_later_events()
    {
        var store = await _factory.OpenAsync();
        var persistence = new EventSourcing(store, store, TestTypes.Registry()) { SnapshotEvery = 25 };
        await using (var system = ActorSystem.Create("node-a"))
        {
            var cart = SpawnCart(system, persistence);
            for (var i = 0; i < 60; i++)
            {
                await cart.AskAsync<CartCommand, long>(r => new CartCommand.Add($"sku-{i}", r), Wait);
            }
        }

        Assert.Equal(50, (await store.LoadSnapshotAsync("cart-1"))!.Sequence);
        await using var system2 = ActorSystem.Create("node-b");
        var recovered = await GetAsync(SpawnCart(system2, persistence));
        Assert.Equal(new CartState(60, 60), recovered.State);
        Assert.Equal(60, recovered.Version);
        Assert.Equal(10, recovered.RecoveredEvents);
        await store.DisposeAsync();
    }

    [Fact]
    public async Task A_rejected_event_leaves_the_state_unchanged_and_the_actor_running()
    {
        var store = await _factory.OpenAsync();
        await using var system = ActorSystem.Create("node");
        var cart = SpawnCart(system, new EventSourcing(store, store, TestTypes.Registry()));
        await cart.AskAsync<CartCommand, long>(r => new CartCommand.Add("a", r), Wait);

        var answer = await cart.AskAsync<CartCommand, string>(r => new CartCommand.AddUnserialisable(r), Wait);

        Assert.Equal("version 1", answer);
        Assert.Equal(2, await cart.AskAsync<CartCommand, long>(r => new CartCommand.Add("b", r), Wait));
        Assert.Equal(2, await store.ReadHighestSequenceAsync("cart-1"));
        await store.DisposeAsync();
    }

    [Fact]
    public async Task A_journal_failure_restarts_the_actor_with_back_off_and_it_recovers_without_a_half_applied_state()
    {
        var store = new FlakyJournal(await _factory.OpenAsync());
        var time = new ManualTimeProvider();
        await using var system = ActorSystem.Create("node", new ActorSystemOptions { Time = time });
        var cart = SpawnCart(system, new EventSourcing(store, store, TestTypes.Registry()));
        // This system runs on virtual time, so ask timeouts never fire by themselves: every await is bounded in real time.
        await cart.AskAsync<CartCommand, long>(r => new CartCommand.Add("a", r), Wait).WaitAsync(Wait);

        store.FailNextAppends(1);
        var failed = cart.AskAsync<CartCommand, long>(r => new CartCommand.Add("lost", r), Wait);
        var queued = cart.AskAsync<CartCommand, long>(r => new CartCommand.Add("b", r), Wait);
        await Assert.ThrowsAsync<AskFailedException>(() => failed.WaitAsync(Wait));

        // The restart waits for its back-off on the actor system's clock; the queued command waits with it.
        // (The pending asks have timeout timers of their own on that clock: wait for the back-off's.)
        await time.WaitForTimerDueWithinAsync(TimeSpan.FromSeconds(1), Wait);
        Assert.False(queued.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, await queued.WaitAsync(Wait));
        var state = await GetAsync(cart).WaitAsync(Wait);
        Assert.Equal(new CartState(2, 2), state.State);
        Assert.Equal(1, store.FailedAppends);
        await store.DisposeAsync();
    }
}

public sealed class SqliteEventSourcedActorTests : EventSourcedActorTests
{
    protected override IStoreFactory CreateFactory() => new SqliteStoreFactory();
}

[Collection("postgres")]
public sealed class PostgresEventSourcedActorTests(SmartStore.Testing.PostgresFixture postgres) : EventSourcedActorTests
{
    protected override IStoreFactory CreateFactory() => new PostgresStoreFactory(postgres.Server);
}
