using Akka.Cluster;
using Akka.Cluster.SBR;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>How a node decides who stays when nodes lose sight of each other (see the node's Akka defaults).</summary>
public sealed class ClusterMembershipTests : JournalTestBase
{
    protected override IJournalFactory CreateJournals() => new SqliteJournals();

    [Fact]
    public async Task A_node_runs_the_split_brain_resolver_keeping_the_majority()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        var cluster = Cluster.Get(store.Node.System);
        var config = store.Node.System.Settings.Config;

        Assert.Equal(typeof(SplitBrainResolverProvider), cluster.Settings.DowningProviderType);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(20), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Contains(SmartStore.Node.Hosting.SmartStoreHosting.StoreRole, cluster.SelfRoles);
    }
}
