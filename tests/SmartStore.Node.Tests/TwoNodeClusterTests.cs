using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Node.Protocol;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// Two nodes, one cluster, one PostgreSQL journal, a chain of two stores: sharding spreads the stores' entities
/// over both nodes, so device messages, commands and answers cross between them (through the wire serializer),
/// and each store's morning still ends in exactly its receipts, each payer charged once per store.
/// </summary>
[Collection("postgres")]
public sealed class TwoNodeClusterTests(PostgresFixture postgres) : JournalTestBase
{
    private static readonly StoreLayout Second = ChainAssertions.SecondSite;

    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);

    [Fact]
    public async Task Two_nodes_share_the_chain_s_entities_and_each_store_settles_exactly()
    {
        var morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);
        var (portA, portB) = (FreePort(), FreePort());
        string[] seeds = [$"akka.tcp://{SmartStoreHosting.SystemName}@127.0.0.1:{portA}"];
        await using var a = await StoreHarness.StartAsync(Journals, options => options with { Chain = [Second], Port = portA, SeedNodes = seeds });
        var pspB = new SimulatedPsp(new PspSimulation { Seed = 6 });
        var optionsB = a.Options with { Port = portB, KeyVault = new KeyVaultSettings { Path = Path.Combine(Path.GetTempPath(), $"smartstore-vault-{Guid.NewGuid():N}", "keys.db") } };
        var transportB = new InProcessTransport();
        await using var b = await StoreNode.StartAsync(optionsB, new ResilientGateway(pspB, new RetrySettings()), transportB, NullLoggerFactory.Instance);
        transportB.Connect(b);
        await WaitForMembersUpAsync(a.Node.System, b.System);
        await a.EnrolAsync(morning.Shoppers);

        // Each store's devices reach the cluster through a different node.
        var first = FeedReplay.SendAsync(a.Transport, StoreHarness.Small.StoreId, morning.Messages);
        var second = FeedReplay.SendAsync(transportB, Second.StoreId, morning.Messages);
        var replays = await Task.WhenAll(first, second);
        var end = morning.EndMs + a.Options.Floor.SettlementBoundMs + 1_000;
        await b.AdvanceClockAsync(StoreHarness.Small.StoreId, end);
        await a.Node.AdvanceClockAsync(Second.StoreId, end);
        await a.WaitForReceiptsAsync(() => a.Node.Receipts.Issued.Count >= 2 * morning.Expected.Count);

        Assert.All(replays, replay => Assert.Equal(morning.Messages.Count, replay.Accepted));
        await ChainAssertions.EachStoreSettledExactlyAsync(a.Node.Receipts, async visitId => (await b.GetVisitAsync(visitId)).State, morning, StoreHarness.Small.StoreId, Second.StoreId);

        // Whichever node's ledger charged, each payer was captured once per store, for the two receipts' sum.
        foreach (var expected in morning.Expected)
        {
            var token = morning.Shoppers.Single(s => s.ShopperId == expected.PayerId).PaymentToken;
            Assert.Equal(2, a.Psp.CapturesOf(token) + pspB.CapturesOf(token));
            Assert.Equal(a.Node.Receipts.Issued.Where(r => r.PayerId == expected.PayerId).Sum(r => r.Receipt.Total), a.Psp.NetChargedTo(token) + pspB.NetChargedTo(token));
        }

        // The test means something only if both nodes carried entities.
        Assert.True(await HostedShards(a.Node.System, "shelves") > 0, "the first node should host some of the shelves' shards");
        Assert.True(await HostedShards(b.System, "shelves") > 0, "the second node should host some of the shelves' shards");
    }

    private static async Task<int> HostedShards(ActorSystem system, string region)
    {
        var state = await ClusterSharding.Get(system).ShardRegion(region).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.Count;
    }

    /// <summary>Waits until each node's own membership is Up (the cluster's leader has admitted it), as Akka reports it.</summary>
    private static async Task WaitForMembersUpAsync(params ActorSystem[] systems)
    {
        var up = systems.Select(system =>
        {
            var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Cluster.Get(system).RegisterOnMemberUp(admitted.SetResult);
            return admitted.Task;
        });
        await Task.WhenAll(up).WaitAsync(StoreHarness.Patience);
        Assert.All(systems, system => Assert.Equal(systems.Length, Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
