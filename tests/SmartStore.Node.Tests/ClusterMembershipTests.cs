using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.SBR;
using SmartStore.Node.Protocol;
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

    [Fact]
    public async Task The_wire_serializer_brings_a_command_back_as_the_command_it_was_and_refuses_foreign_types()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        var serializer = new WireSerializer((ExtendedActorSystem)store.Node.System);
        var envelope = new FloorEnvelope("corner-01", new FloorCommand.GetBinReferences(["shelf-01-l1b1", "shelf-01-l1b2"]));

        var back = Assert.IsType<FloorEnvelope>(serializer.FromBinary(serializer.ToBinary(envelope), serializer.Manifest(envelope)));

        Assert.Equal("corner-01", back.EntityId);
        Assert.Equal(["shelf-01-l1b1", "shelf-01-l1b2"], Assert.IsType<FloorCommand.GetBinReferences>(back.Command).BinIds);
        var foreign = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "System.IO.FileInfo, System.IO.FileSystem"));
        Assert.Contains("is not a SmartStore message type", foreign.Message, StringComparison.Ordinal);
    }
}
