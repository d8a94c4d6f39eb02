using System.Threading.Channels;

namespace SmartStore.Actors.TestKit;

/// <summary>
/// An actor that records what it receives, so a test can wait for messages instead of sleeping.
/// Waits are bounded: a missing message fails the test with a description, it never hangs.
/// </summary>
public sealed class TestProbe<T>
{
    private readonly Channel<T> _received = Channel.CreateUnbounded<T>();
    private readonly Channel<ActorRef> _terminated = Channel.CreateUnbounded<ActorRef>();
    private readonly TimeSpan _defaultTimeout;

    internal TestProbe(ActorSystem system, string name, TimeSpan defaultTimeout)
    {
        _defaultTimeout = defaultTimeout;
        Ref = system.Spawn(Props.Create(() => new ProbeActor(this)), name);
        _watcher = system.Spawn(Props.Create(() => new WatcherActor(this)), name + "-watcher");
    }

    private readonly ActorRef<ActorRef> _watcher;

    public ActorRef<T> Ref { get; }

    /// <summary>Waits for the next message.</summary>
    public async Task<T> ExpectMessageAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? _defaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new ProbeTimeoutException($"{Ref.Path}: expected a {typeof(T).Name} within {limit.TotalMilliseconds:0} ms, got none.");
        }
    }

    /// <summary>Waits for the next message and checks that it is a <typeparamref name="TExpected"/>.</summary>
    public async Task<TExpected> ExpectMessageAsync<TExpected>(TimeSpan? timeout = null)
        where TExpected : T
    {
        var message = await ExpectMessageAsync(timeout);
        return message is TExpected expected
            ? expected
            : throw new ProbeAssertionException($"{Ref.Path}: expected {typeof(TExpected).Name}, got {Describe(message)}.");
    }

    /// <summary>Waits for the next message and checks that it equals <paramref name="expected"/>.</summary>
    public async Task<T> ExpectMessageAsync(T expected, TimeSpan? timeout = null)
    {
        var message = await ExpectMessageAsync(timeout);
        return EqualityComparer<T>.Default.Equals(message, expected)
            ? message
            : throw new ProbeAssertionException($"{Ref.Path}: expected {Describe(expected)}, got {Describe(message)}.");
    }

    /// <summary>Checks that nothing arrives during <paramref name="duration"/>.</summary>
    public async Task ExpectNoMessageAsync(TimeSpan? duration = null)
    {
        using var cancel = new CancellationTokenSource(duration ?? TimeSpan.FromMilliseconds(100));
        try
        {
            var message = await _received.Reader.ReadAsync(cancel.Token);
            throw new ProbeAssertionException($"{Ref.Path}: expected no message, got {Describe(message)}.");
        }
        catch (OperationCanceledException)
        {
            // Quiet for the whole duration: what the test wanted.
        }
    }

    /// <summary>Skips messages until one matches; fails if none does in time.</summary>
    public async Task<T> FishForMessageAsync(Func<T, bool> predicate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var limit = timeout ?? _defaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        var skipped = 0;
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(cancel.Token);
                if (predicate(message))
                {
                    return message;
                }

                skipped++;
            }
        }
        catch (OperationCanceledException)
        {
            throw new ProbeTimeoutException($"{Ref.Path}: no matching {typeof(T).Name} within {limit.TotalMilliseconds:0} ms ({skipped} others skipped).");
        }
    }

    /// <summary>Receives <paramref name="count"/> messages in arrival order.</summary>
    public async Task<IReadOnlyList<T>> ReceiveAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(await ExpectMessageAsync(timeout));
        }

        return list;
    }

    /// <summary>Watches <paramref name="actor"/>; <see cref="ExpectTerminatedAsync"/> then waits for its end.</summary>
    public void Watch(ActorRef actor) => _watcher.Tell(actor);

    public async Task ExpectTerminatedAsync(ActorRef actor, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var limit = timeout ?? _defaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            var terminated = await _terminated.Reader.ReadAsync(cancel.Token);
            if (!ReferenceEquals(terminated, actor))
            {
                throw new ProbeAssertionException($"{Ref.Path}: expected {actor.Path} to terminate, but {terminated.Path} did.");
            }
        }
        catch (OperationCanceledException)
        {
            throw new ProbeTimeoutException($"{Ref.Path}: {actor.Path} did not terminate within {limit.TotalMilliseconds:0} ms.");
        }
    }

    private static string Describe(object? message) => message?.ToString() ?? "null";

    /// <summary>Watching happens on a small companion actor, since the probe itself only takes <typeparamref name="T"/>.</summary>
    private sealed class WatcherActor(TestProbe<T> probe) : Actor<ActorRef>
    {
        protected override ValueTask ReceiveAsync(ActorRef message)
        {
            Context.Watch(message);
            return default;
        }

        protected override ValueTask OnTerminatedAsync(ActorRef actor)
        {
            probe._terminated.Writer.TryWrite(actor);
            return default;
        }
    }

    private sealed class ProbeActor(TestProbe<T> probe) : Actor<T>
    {
        protected override ValueTask ReceiveAsync(T message)
        {
            probe._received.Writer.TryWrite(message);
            return default;
        }
    }
}

public sealed class ProbeTimeoutException(string message) : Exception(message);

public sealed class ProbeAssertionException(string message) : Exception(message);
