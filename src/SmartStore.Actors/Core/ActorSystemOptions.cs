using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartStore.Actors;

/// <summary>Settings of one actor system; every one has a sensible default.</summary>
public sealed record ActorSystemOptions
{
    /// <summary>User messages an actor handles per turn before it yields its thread (Akka.NET uses 100).</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>
    /// When an actor has spent its <see cref="Throughput"/> budget and still has messages, it goes on for
    /// another budget as long as its turn is younger than this (Akka's throughput deadline). A hot actor then
    /// drains a backlog instead of queueing behind its producers; other actors wait at most about this long.
    /// <see cref="TimeSpan.Zero"/> yields after every budget.
    /// </summary>
    public TimeSpan ThroughputDeadline { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The clock for timers, back-off and ask timeouts; a manual one in tests runs virtual time.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>How long shutdown waits (in real time) for mailboxes to empty before it stops everything.</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long shutdown waits for stop hooks once the tree is told to stop.</summary>
    public TimeSpan ShutdownStopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
