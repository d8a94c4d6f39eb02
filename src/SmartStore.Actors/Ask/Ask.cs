namespace SmartStore.Actors;

/// <summary>Request-response with actors: the reply reference is a one-shot promise.</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends the request built by <paramref name="createRequest"/> (which receives the reply reference) and
    /// waits for one reply. The outcomes stay distinct: <see cref="AskTimeoutException"/> when no reply comes in
    /// time (on the system's clock), <see cref="OperationCanceledException"/> when the caller cancels,
    /// <see cref="AskFailedException"/> when the handler threw, and <see cref="AskTargetTerminatedException"/>
    /// when the target is dead or stopped before it handled the request.
    /// </summary>
    public static Task<TReply> AskAsync<TRequest, TReply>(
        this ActorRef<TRequest> target,
        Func<ActorRef<TReply>, TRequest> createRequest,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(createRequest);
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "An ask needs a positive timeout.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TReply>(cancellationToken);
        }

        var time = (target as IHasSystem)?.System.Time ?? TimeProvider.System;
        var promise = new PromiseRef<TReply>(target.Path, time, timeout, cancellationToken);
        var request = createRequest(promise);
        if (!target.TryPost(new Envelope<TRequest>(request, promise)))
        {
            promise.Fail(new AskTargetTerminatedException(target.Path));
        }

        return promise.Task;
    }
}

internal interface IHasSystem
{
    ActorSystem System { get; }
}

/// <summary>A reference that completes a task with the first message it receives.</summary>
internal sealed class PromiseRef<T> : ActorRef<T>, IAskPromise
{
    private static long s_next;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorPath _target;
    private readonly TimeSpan _timeout;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _cancellation;

    public PromiseRef(ActorPath target, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
        : base(ActorPath.Internal(ActorPath.Internal(ActorPath.Root, "temp"), "$ask-" + Interlocked.Increment(ref s_next)))
    {
        _target = target;
        _timeout = timeout;
        _timer = time.CreateTimer(static s => ((PromiseRef<T>)s!).TimedOut(), this, timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static (s, token) => ((PromiseRef<T>)s!).Cancelled(token), this);
        }
    }

    public Task<T> Task => _completion.Task;

    public override bool IsTerminated => _completion.Task.IsCompleted;

    public void Fail(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            Cleanup();
        }
    }

    internal override bool TryPost(in Envelope<T> envelope)
    {
        if (!_completion.TrySetResult(envelope.Message))
        {
            return false;
        }

        Cleanup();
        return true;
    }

    internal override void OnUndeliverable(T message, string reason)
    {
        // A second reply to an answered ask goes nowhere; it is not worth a dead letter per reply.
    }

    internal override void SendSystem(SystemMessage message)
    {
        // Promises are not supervised and cannot be watched meaningfully; a watch gets an immediate answer.
        if (message is WatchActor watch)
        {
            watch.Watcher.SendSystem(new DeathWatchNotification(this));
        }
    }

    private void TimedOut()
    {
        if (_completion.TrySetException(new AskTimeoutException(_target, _timeout)))
        {
            Cleanup();
        }
    }

    private void Cancelled(CancellationToken token)
    {
        if (_completion.TrySetCanceled(token))
        {
            Cleanup();
        }
    }

    private void Cleanup()
    {
        _timer.Dispose();
        _cancellation.Dispose();
    }
}
