using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>System messages: creation, restart, stop, and the hand-over between a parent and its children.</summary>
internal sealed partial class ActorCell<T>
{
    private Exception? _restartCause;

    private async ValueTask HandleSystemAsync(SystemMessage message)
    {
        switch (message)
        {
            case CreateActor:
                await CreateInstanceAsync(null);
                break;
            case RestartActor restart:
                await BeginRestartAsync(restart.Cause);
                break;
            case ResumeActor:
                if (_state == CellState.Suspended)
                {
                    _state = CellState.Running;
                }

                break;
            case StopActor:
                await BeginStopAsync();
                break;
            case WatchActor watch:
                AddWatcher(watch.Watcher);
                break;
            case UnwatchActor unwatch:
                RemoveWatcher(unwatch.Watcher);
                break;
            case DeathWatchNotification notification:
                OnWatchedActorTerminated(notification.Actor);
                break;
            case ChildTerminated terminated:
                await OnChildTerminatedAsync(terminated.Child);
                break;
            case ChildEscalated escalated:
                OnChildEscalated(escalated.Child, escalated.Cause);
                break;
            default:
                throw new InvalidOperationException($"Unknown system message {message.GetType().Name}.");
        }
    }

    private async ValueTask CreateInstanceAsync(Exception? restartCause)
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }

        try
        {
            _actor = NewInstance();
            _state = CellState.Running;
            if (restartCause is null)
            {
                await _actor.RunPreStart();
            }
            else
            {
                await _actor.RunPostRestart(restartCause);
            }
        }
#pragma warning disable CA1031 // A failing constructor or start hook is a supervised failure like any other.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            HandleFailure(new ActorInitializationException(Path, exception), default);
        }
    }

    private async ValueTask BeginRestartAsync(Exception cause)
    {
        if (_state is CellState.Terminating or CellState.Terminated or CellState.Restarting)
        {
            return;
        }

        _state = CellState.Restarting;
        CancelBackoff();
        if (_actor is not null)
        {
            try
            {
                await _actor.RunPreRestart(cause);
            }
#pragma warning disable CA1031 // The instance is being replaced anyway; its hook failing must not block that.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.LogError(exception, "PreRestart of {Path} failed", Path);
            }
        }

        _timers?.CancelAll();
        _restartCause = cause;
        if (!StopAllChildren())
        {
            await FinishRestartAsync();
        }
    }

    private async ValueTask FinishRestartAsync()
    {
        var cause = _restartCause!;
        _restartCause = null;
        _actor = null;
        _stoppingSource = null;
        UnstashAll();
        await CreateInstanceAsync(cause);
    }

    private async ValueTask BeginStopAsync()
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }

        _state = CellState.Terminating;
        CancelBackoff();
        _timers?.CancelAll();
        if (!StopAllChildren())
        {
            await FinishStopAsync();
        }
    }

    private async ValueTask FinishStopAsync()
    {
        if (_actor is not null)
        {
            try
            {
                await _actor.RunPostStop();
            }
#pragma warning disable CA1031 // The actor is gone either way; a failing hook is logged, not rethrown.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.LogError(exception, "PostStop of {Path} failed", Path);
            }
        }

        _actor = null;
        _state = CellState.Terminated;
        DropUndelivered(_mailbox.Close(), "actor stopped before handling the message");
        DropStash();
        _terminated = true;

        // Whatever system messages are still queued are answered as a dead actor would.
        for (var pending = _systemBacklog; pending is not null; pending = pending.Next)
        {
            AnswerAfterTermination(pending);
        }

        _systemBacklog = null;
        DrainSystemMessagesAfterTermination();
        _parent?.ReleaseChild(this);
        NotifyWatchersAndUnwatchAll();
        _parent?.Self.SendSystem(new ChildTerminated(this));

        _system.OnActorTerminated(this);
    }

    private void DropUndelivered(Envelope<T>[] envelopes, string reason)
    {
        foreach (var envelope in envelopes)
        {
            switch (envelope.Meta)
            {
                case null:
                    _system.DeadLetters.Publish(envelope.Message, Path, reason);
                    break;
                case IAskPromise promise:
                    promise.Fail(new AskTargetTerminatedException(Path));
                    _system.DeadLetters.Publish(envelope.Message, Path, reason);
                    break;
                default:
                    // Timer ticks, poison pills and death-watch signals are the kernel's own; nobody lost them.
                    break;
            }
        }
    }

    private void DrainSystemMessagesAfterTermination()
    {
        var stack = Interlocked.Exchange(ref _systemInbox, null);
        for (; stack is not null; stack = stack.Next)
        {
            AnswerAfterTermination(stack);
        }
    }

    private void AnswerAfterTermination(SystemMessage message)
    {
        if (message is WatchActor watch)
        {
            watch.Watcher.SendSystem(new DeathWatchNotification(this));
        }
    }
}
