using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>Supervision: what the kernel does when a handler or a start hook throws.</summary>
internal sealed partial class ActorCell<T>
{
    private RestartStatistics _restarts;
    private ITimer? _backoffTimer;

    private Directive HandleFailure(Exception exception, in Envelope<T> envelope)
    {
        if (envelope.Meta is IAskPromise promise)
        {
            promise.Fail(new AskFailedException(Path, exception));
        }

        var strategy = _props.Supervision;
        var directive = strategy.Decide(exception);
        switch (directive)
        {
            case Directive.Resume:
                Log.LogWarning(exception, "{Path} failed; resuming", Path);
                if (exception is ActorInitializationException)
                {
                    // A half-started instance cannot be resumed: the start hook cannot be skipped.
                    goto case Directive.Stop;
                }

                break;
            case Directive.Stop:
                Log.LogError(exception, "{Path} failed; stopping", Path);
                _state = CellState.Suspended;
                SendSystem(new StopActor());
                break;
            case Directive.Restart:
                _state = CellState.Suspended;
                if (!_restarts.TryRecord(_system.Time, strategy))
                {
                    Log.LogError(exception, "{Path} failed and exceeded {Max} restarts within {Window}; stopping", Path, strategy.MaxRestarts, strategy.Window);
                    SendSystem(new StopActor());
                    break;
                }

                var delay = strategy.BackoffFor(_restarts.Count);
                Log.LogWarning(exception, "{Path} failed; restart {Count} in {Delay}", Path, _restarts.Count, delay);
                if (delay <= TimeSpan.Zero)
                {
                    SendSystem(new RestartActor(exception));
                }
                else
                {
                    ScheduleBackoffRestart(exception, delay);
                }

                break;
            case Directive.Escalate:
                _state = CellState.Suspended;
                Log.LogError(exception, "{Path} failed; escalating to its parent", Path);
                if (_parent is null)
                {
                    SendSystem(new StopActor());
                }
                else
                {
                    _parent.Self.SendSystem(new ChildEscalated(this, exception));
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown directive {directive}.");
        }

        return directive;
    }

    private void ScheduleBackoffRestart(Exception cause, TimeSpan delay)
    {
        CancelBackoff();
        _backoffTimer = _system.Time.CreateTimer(
            static state =>
            {
                var (cell, exception) = ((ActorCell<T>, Exception))state!;
                cell.SendSystem(new RestartActor(exception));
            },
            (this, cause),
            delay,
            Timeout.InfiniteTimeSpan);
    }

    private void CancelBackoff()
    {
        _backoffTimer?.Dispose();
        _backoffTimer = null;
    }

    private void OnChildEscalated(IActorCell child, Exception cause)
    {
        if (_parent is null)
        {
            // The guardian has no one to escalate to: the failing top-level actor stops.
            Log.LogError(cause, "Top-level actor {Child} escalated; stopping it", child.Self.Path);
            child.Self.SendSystem(new StopActor());
            return;
        }

        if (_state is not (CellState.Running or CellState.Suspended))
        {
            return;
        }

        var directive = HandleFailure(new EscalatedFailureException(child.Self.Path, cause), default);
        if (directive == Directive.Resume)
        {
            child.Self.SendSystem(new ResumeActor());
        }
    }
}
