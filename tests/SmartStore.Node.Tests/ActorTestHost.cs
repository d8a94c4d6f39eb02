using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// One actor system per test with the node's own journal configuration on a real database, for tests of single
/// actors: the regions an actor talks to are test probes registered where the node registers its regions, and
/// time is the test scheduler's (virtual: a test moves it on, nothing sleeps).
/// </summary>
public abstract class ActorTestHost : IAsyncLifetime
{
    private IHost _host = null!;
    private IJournalFactory _journals = null!;

    protected Akka.TestKit.Xunit2.TestKit Kit { get; private set; } = null!;

    protected ActorSystem System => Kit.Sys;

    protected ActorRegistry Registry { get; private set; } = null!;

    protected NodeRegions Regions { get; private set; } = null!;

    protected TestScheduler Time => (TestScheduler)System.Scheduler;

    protected JournalSettings Journal { get; private set; } = null!;

    /// <summary>The journal kind this class runs on; SQLite unless a subclass says otherwise.</summary>
    protected virtual IJournalFactory CreateJournals() => new SqliteJournals();

    public virtual async Task InitializeAsync()
    {
        _journals = CreateJournals();
        Journal = await _journals.CreateAsync();
        await SmartStore.Node.Persistence.Journal.PrepareAsync(Journal);
        _host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("test", builder => builder
                .AddHocon(Akka.TestKit.Xunit2.TestKit.DefaultConfig, HoconAddMode.Append)
                .AddHocon("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithSmartStoreJournal(Journal, NodeCatalog.Create(), TimeSpan.FromMilliseconds(100))))
            .Build();
        await _host.StartAsync();
        Registry = _host.Services.GetRequiredService<ActorRegistry>();
        Regions = new NodeRegions(Registry);
        Kit = new Akka.TestKit.Xunit2.TestKit(_host.Services.GetRequiredService<ActorSystem>());
    }

    public virtual async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _journals.DisposeAsync();
    }

    /// <summary>A probe standing in for one of the node's regions (or projections).</summary>
    protected TestProbe ProbeFor<TRegion>()
    {
        var probe = Kit.CreateTestProbe(typeof(TRegion).Name);
        Registry.Register<TRegion>(probe.Ref);
        return probe;
    }
}
