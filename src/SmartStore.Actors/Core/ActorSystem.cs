using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>
/// A tree of actors under one guardian, with its clock, dead-letter office and coordinated shutdown.
/// Disposing the system shuts it down with the default drain bound.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly ActorCell<GuardianMessage> _guardian;
    private readonly TaskCompletionSource _guardianTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private Task<ShutdownReport>? _shutdown;
    private long _liveActors;
    private long _spawnedTotal;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        _logger = options.LoggerFactory.CreateLogger("SmartStore.Actors.ActorSystem");
        DeadLetters = new DeadLetterOffice(options.LoggerFactory.CreateLogger("SmartStore.Actors.DeadLetters"), options.Time);
        var root = ActorPath.Internal(ActorPath.Root, "user");
        _guardian = new ActorCell<GuardianMessage>(this, parent: null, Props.Create(static () => new Guardian()), root);
        _guardian.SendSystem(new CreateActor());
    }

    public string Name { get; }

    public ActorSystemOptions Options { get; }

    public TimeProvider Time => Options.Time;

    public ILoggerFactory LoggerFactory => Options.LoggerFactory;

    public DeadLetterOffice DeadLetters { get; }

    /// <summary>Actors spawned and not yet terminated (the guardian excluded).</summary>
    public long LiveActors => Interlocked.Read(ref _liveActors);

    public long SpawnedTotal => Interlocked.Read(ref _spawnedTotal);

    public bool IsShuttingDown => Volatile.Read(ref _shutdown) is not null;

    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        ActorNames.Validate(name);
        options ??= new ActorSystemOptions();
        if (options.Throughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Throughput, "Throughput must be at least 1.");
        }

        return new ActorSystem(name, options);
    }

    /// <summary>Starts a top-level actor under <c>/user</c>.</summary>
    public ActorRef<T> Spawn<T>(Props<T> props, string name)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (IsShuttingDown)
        {
            throw new ActorSystemShutdownException(Name);
        }

        return _guardian.Spawn(props, name);
    }

    /// <summary>Stops an actor now; its children stop first, queued messages become dead letters.</summary>
    public void Stop(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        _logger.LogDebug("Stop requested for {Path}", actor.Path);
        actor.SendSystem(new StopActor());
    }

    /// <summary>
    /// Coordinated shutdown: waits (up to the drain bound, in real time) until every mailbox is empty and no
    /// actor is running, then stops the tree children-first, and reports what was dropped. Idempotent.
    /// </summary>
    public Task<ShutdownReport> ShutdownAsync(TimeSpan? drainTimeout = null, CancellationToken cancellationToken = default)
    {
        var started = new TaskCompletionSource<ShutdownReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var existing = Interlocked.CompareExchange(ref _shutdown, started.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        _ = RunShutdownAsync(drainTimeout ?? Options.ShutdownDrainTimeout, started, cancellationToken);
        return started.Task;
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    internal void OnActorSpawned()
    {
        Interlocked.Increment(ref _liveActors);
        Interlocked.Increment(ref _spawnedTotal);
    }

    internal void OnActorTerminated(IActorCell cell)
    {
        if (ReferenceEquals(cell, _guardian))
        {
            _guardianTerminated.TrySetResult();
            return;
        }

        Interlocked.Decrement(ref _liveActors);
    }

    private async Task RunShutdownAsync(TimeSpan drainTimeout, TaskCompletionSource<ShutdownReport> result, CancellationToken cancellationToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var actorsAtStart = LiveActors;
            var deadLettersBefore = DeadLetters.Count;
            var drained = await ShutdownDrain.WaitForQuiescenceAsync(_guardian, drainTimeout, cancellationToken).ConfigureAwait(false);
            var pendingAtStop = ShutdownDrain.CountPending(_guardian);
            _guardian.SendSystem(new StopActor());
            var stopped = await Task.WhenAny(_guardianTerminated.Task, Task.Delay(Options.ShutdownStopTimeout, cancellationToken)).ConfigureAwait(false) == _guardianTerminated.Task;
            var report = new ShutdownReport(
                clock.Elapsed,
                drained,
                stopped,
                actorsAtStart,
                LiveActors,
                pendingAtStop,
                DeadLetters.Count - deadLettersBefore);
            _logger.LogInformation("Actor system {Name} shut down: {Report}", Name, report);
            result.TrySetResult(report);
        }
#pragma warning disable CA1031 // The caller learns of any failure through the returned task.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            result.TrySetException(exception);
        }
    }

    /// <summary>The root of user actors; it only supervises (top-level escalations stop the child).</summary>
    private sealed class Guardian : Actor<GuardianMessage>
    {
        protected override ValueTask ReceiveAsync(GuardianMessage message) => default;
    }
}

internal sealed record GuardianMessage;
