using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Devices;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>Alerts as people read them: at the store's local time, with spans instead of raw Unix milliseconds.</summary>
public sealed class AlertTextTests : ActorTestHost
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    // Saturday 21 November 2026, 09:00:00 UTC, in milliseconds: the digits must not reach the text.
    private const long NineUtc = 1_795_251_600_000;

    // A zone of its own, an hour east of UTC and never on summer time, so the test reads the same on every machine.
    private static readonly TimeZoneInfo StoreZone = TimeZoneInfo.CreateCustomTimeZone("test-store", TimeSpan.FromHours(1), "test store", "test store");

    [Fact]
    public void An_alert_reads_with_its_local_time_and_offset()
    {
        var text = AlertText.Format(new FloorAlert("tailgating", NineUtc + 1_500, "track t-7 entered through gate-in without an admission"), StoreZone);

        Assert.Equal("2026-11-21 10:00:01 +01:00 tailgating: track t-7 entered through gate-in without an admission", text);
    }

    [Fact]
    public void The_node_logs_an_alert_at_the_local_time_of_its_clock()
    {
        var log = new Collected();
        var health = new NodeHealth(new RejectionCounters(), log, new ZonedClock(StoreZone));

        health.Alert(new FloorAlert("weight-spike", NineUtc, "ws-1: 900 g ignored as a spike"));

        Assert.Equal(["alert 2026-11-21 10:00:00 +01:00 weight-spike: ws-1: 900 g ignored as a spike"], log.Messages);
    }

    [Fact]
    public void A_stuck_load_cell_is_reported_with_how_long_it_has_read_the_same_not_since_which_millisecond()
    {
        var health = new NodeHealth(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
        var floor = ProbeFor<FloorRegion>();
        var shelf = StoreHarness.Small.Shelves.Single(s => s.Id == "shelf-01");
        var actor = System.ActorOf(Props.Create(() => new ShelfActor("corner-01", shelf, StoreHarness.Small, health, Regions, new WeightSignalSettings(), Wait, latenessMs: 2_000)));
        Assert.IsType<FloorCommand.GetBinReferences>(floor.ExpectMsg<FloorEnvelope>(Wait).Command);
        floor.Reply(new BinReferences(new Dictionary<string, BinReference>()));

        // The same reading every second for half a minute: the default settings call a cell stuck after 30 s.
        for (var n = 0; n <= 31; n++)
        {
            var device = Kit.CreateTestProbe();
            actor.Tell(new WeightReport(1, "shelf-01", n + 1, NineUtc + (n * 1_000), "shelf-01-l1b1", 4_600), device.Ref);
            Kit.AwaitCondition(() => device.HasMessages || floor.HasMessages, Wait);
            if (floor.HasMessages)
            {
                Assert.IsType<FloorCommand.Accept>(floor.ExpectMsg<FloorEnvelope>(Wait).Command);
                floor.Reply(Delivered.Accepted);
            }

            Assert.Equal(Delivery.Accepted, device.ExpectMsg<Delivered>(Wait).Outcome);
        }

        var stuck = Assert.Single(health.Snapshot().RecentAlerts, a => a.Kind == "sensor-stuck");
        Assert.Equal("ws-shelf-01-l1b1 has read exactly 4600 g for 30 s", stuck.Detail);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(5_240, "5.2 s")]
    [InlineData(119_000, "119 s")]
    [InlineData(180_000, "3 min")]
    public void A_span_reads_in_seconds_then_minutes(long milliseconds, string text) => Assert.Equal(text, AlertText.Duration(milliseconds));

    private sealed class ZonedClock(TimeZoneInfo zone) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => zone;
    }

    private sealed class Collected : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Messages.Add(formatter(state, exception));
    }
}
