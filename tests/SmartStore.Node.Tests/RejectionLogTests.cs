using Microsoft.Extensions.Logging;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Health;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>A flood of bad input against the node's log: a line per reason per ten seconds, each saying what it held back.</summary>
public sealed class RejectionLogTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingLogger _log = new();

    [Fact]
    public void Rejections_are_logged_once_per_reason_per_ten_seconds_and_the_next_line_says_how_many_were_held_back()
    {
        var health = new NodeHealth(new RejectionCounters(), _log, _clock);

        for (var i = 0; i < 5; i++)
        {
            health.Rejected(RejectionReason.OutsideFloor, $"cam-nw: body {i}");
        }

        health.Rejected(RejectionReason.BadTimestamp, "gate-in: ts -5");
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        health.Rejected(RejectionReason.OutsideFloor, "cam-nw: body 5");
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        health.Rejected(RejectionReason.OutsideFloor, "cam-nw: body 6");
        _clock.Advance(TimeSpan.FromSeconds(10));
        health.Rejected(RejectionReason.OutsideFloor, "cam-nw: body 7");

        Assert.Equal(
            [
                "rejected (OutsideFloor): cam-nw: body 0",
                "rejected (BadTimestamp): gate-in: ts -5",
                "rejected (OutsideFloor): cam-nw: body 6 (5 more of this kind since the last such line, not logged)",
                "rejected (OutsideFloor): cam-nw: body 7",
            ],
            _log.Lines);
        Assert.Equal(8, health.Rejections[RejectionReason.OutsideFloor]);
        Assert.Equal(1, health.Rejections[RejectionReason.BadTimestamp]);
    }

    /// <summary>Time that moves only when the test says: the interval is tested without waiting it out.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(_ticks);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
