using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>
/// One actor's home: its reference, its context, its mailbox and the thread-pool work item that runs it,
/// all in one object so that an idle actor costs a few hundred bytes.
/// </summary>
/// <remarks>
/// Scheduling is one compare-and-swap on <see cref="_scheduled"/>: whoever flips it from 0 to 1 queues the
/// cell on the thread pool. A turn handles system messages first, then up to the throughput budget of user
/// messages (re-checking system messages between them), then clears the flag and re-queues itself if work
/// arrived meanwhile. A handler that returns an unfinished task keeps the flag set until the task completes,
/// so no second message of this actor can start. A terminated cell keeps the flag set forever.
/// The partial files split the cell by concern: system messages and lifecycle, faults, children,
/// death watch and stash.
/// </remarks>
internal sealed partial class ActorCell<T> : ActorRef<T>, IActorContext<T>, IActorCell, IHasSystem, IThreadPoolWorkItem
{
    [ThreadStatic]
    private static ActorCell<T>? t_creating;

    private readonly ActorSystem _system;
    private readonly IActorCell? _parent;
    private readonly Props<T> _props;
    private readonly MailboxQueue<T> _mailbox = new();
    private readonly MailboxQueue<T>.ReaderRing _inbox;
    private readonly int _throughput;
    private Actor<T>? _actor;
    private CellState _state;
    private int _scheduled;
    private volatile bool _terminated;
    private SystemMessage? _systemInbox;
    private SystemMessage? _systemBacklog;
    private ValueTask _pending;
    private PendingKind _pendingKind;
    private Envelope<T> _pendingEnvelope;
    private Action? _resume;
    private ILogger? _log;
    private ActorTimers<T>? _timers;
    private CancellationTokenSource? _stoppingSource;

    internal ActorCell(ActorSystem system, IActorCell? parent, Props<T> props, ActorPath path)
        : base(path)
    {
        _system = system;
        _parent = parent;
        _props = props;
        _throughput = props.Throughput ?? system.Options.Throughput;
        _inbox = _mailbox.Reader;
    }

    private enum PendingKind : byte
    {
        None,
        UserMessage,
        SystemMessage,
    }

    public override bool IsTerminated => _terminated;

    public ActorRef<T> Self => this;

    ActorRef IActorCell.Self => this;

    public ActorRef? Parent => _parent?.Self;

    public string Name => Path.Name;

    public ActorSystem System => _system;

    public ILogger Log => _log ??= _system.LoggerFactory.CreateLogger(_props.Factory.Method.ReturnType.FullName ?? "SmartStore.Actors.Actor");

    public ActorTimers<T> Timers => _timers ??= new ActorTimers<T>(this, _system.Time);

    public CancellationToken Stopping => (_stoppingSource ??= CreateStoppingSource()).Token;

    public int PendingUserMessages => _mailbox.Count;

    public bool IsScheduled => Volatile.Read(ref _scheduled) == 1;

    internal CellState State => _state;

    /// <summary>The cell whose instance is being created on this thread, for factories that need its name.</summary>
    internal static ActorCell<T>? PeekCreatingContext() => t_creating;

    internal static ActorCell<T>? TakeCreatingContext()
    {
        var cell = t_creating;
        t_creating = null;
        return cell;
    }

    internal override bool TryPost(in Envelope<T> envelope)
    {
        if (!_mailbox.TryEnqueue(envelope))
        {
            return false;
        }

        TrySchedule();
        return true;
    }

    internal override void OnUndeliverable(T message, string reason) => _system.DeadLetters.Publish(message, Path, reason);

    internal override void SendSystem(SystemMessage message)
    {
        while (true)
        {
            var head = Volatile.Read(ref _systemInbox);
            message.Next = head;
            if (Interlocked.CompareExchange(ref _systemInbox, message, head) == head)
            {
                break;
            }
        }

        if (_terminated)
        {
            // The cell finished between our check and our push: answer on its behalf so no watcher hangs.
            DrainSystemMessagesAfterTermination();
            return;
        }

        if (message is StopActor or RestartActor)
        {
            SignalStopping();
        }

        TrySchedule();
    }

    public void Execute()
    {
        ActorTurn.IsRunning = true;
        try
        {
            if (_pendingKind != PendingKind.None)
            {
                CompletePending();
            }

            RunTurn();
        }
        finally
        {
            ActorTurn.IsRunning = false;
        }
    }

    private void TrySchedule()
    {
        // The fence orders our enqueue before the flag read (the turn's release does the mirror image), and
        // the plain read spares a contended CAS on the common path where the actor is already scheduled.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            // Woken by another actor's turn: queue on that thread's local queue, as task continuations do, so a
            // conversation stays on a warm core (measured: ping-pong between 1,000 pairs went from 305 ns to 87 ns
            // per round trip); idle threads still steal it. Woken from outside (devices, tests, timers): the
            // global queue, where it cannot get stuck behind a busy sender's loop.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: ActorTurn.IsRunning);
        }
    }

    private void RunTurn()
    {
        var budget = _throughput;
        var turnStarted = 0L;
        while (true)
        {
            if (_systemBacklog is null && Volatile.Read(ref _systemInbox) is not null)
            {
                _systemBacklog = TakeSystemInbox();
            }

            if (_systemBacklog is { } system)
            {
                _systemBacklog = system.Next;
                system.Next = null;
                if (!ContinueAfter(HandleSystemAsync(system), PendingKind.SystemMessage, default))
                {
                    return;
                }

                continue;
            }

            if (_state == CellState.Terminated)
            {
                return;
            }

            if (_state != CellState.Running || !_inbox.TryDequeue(out var envelope))
            {
                break;
            }

            if (--budget < 0)
            {
                if (ExtendTurn(ref turnStarted))
                {
                    budget = _throughput - 1;
                }
                else
                {
                    // Budget and deadline spent with work left: keep the flag (no release and re-CAS), put the
                    // envelope back and queue the next turn on the global queue, so other actors get the thread
                    // in between. (A local queue is LIFO for its thread and would hand it straight back.)
                    _inbox.PushFront(envelope);
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }
            }

            ValueTask handled;
            try
            {
                handled = InvokeUser(envelope);
            }
#pragma warning disable CA1031 // Every handler failure goes to supervision; nothing may escape onto the pool thread.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                HandleFailure(exception, envelope);
                continue;
            }

            if (!ContinueAfter(handled, PendingKind.UserMessage, envelope))
            {
                return;
            }
        }

        // A full fence, not a release store: a sender enqueues and then fails its CAS while we still hold the
        // flag, so our re-check below must see its message (store→load order, which Volatile.Write lacks).
        Interlocked.Exchange(ref _scheduled, 0);
        if (Volatile.Read(ref _systemInbox) is not null || (_state == CellState.Running && _mailbox.Count > 0))
        {
            TrySchedule();
        }
    }

    /// <summary>
    /// At the end of a budget: whether the turn may take another one (it is younger than the throughput
    /// deadline). The clock is read once per budget, not per message.
    /// </summary>
    private bool ExtendTurn(ref long turnStarted)
    {
        var deadline = _system.Options.ThroughputDeadline;
        if (deadline <= TimeSpan.Zero)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        if (turnStarted == 0)
        {
            // The first budget ends: the turn began roughly now, as a budget takes microseconds.
            turnStarted = now;
        }
        else if (Stopwatch.GetElapsedTime(turnStarted, now) >= deadline)
        {
            return false;
        }

        return true;
    }

    /// <summary>True when the task already finished (the turn goes on); false when the turn suspends until it does.</summary>
    private bool ContinueAfter(ValueTask task, PendingKind kind, in Envelope<T> envelope)
    {
        if (task.IsCompletedSuccessfully)
        {
            return true;
        }

        _pending = task;
        _pendingKind = kind;
        _pendingEnvelope = envelope;
        if (task.IsCompleted)
        {
            CompletePending();
            return true;
        }

        task.GetAwaiter().UnsafeOnCompleted(_resume ??= ResumeAfterAwait);
        return false;
    }

    private void ResumeAfterAwait() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);

    private void CompletePending()
    {
        var kind = _pendingKind;
        var envelope = _pendingEnvelope;
        var task = _pending;
        _pending = default;
        _pendingKind = PendingKind.None;
        _pendingEnvelope = default;
        try
        {
            task.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // See RunTurn: failures are routed, never thrown onto the pool.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (kind == PendingKind.UserMessage)
            {
                HandleFailure(exception, envelope);
            }
            else
            {
                Log.LogCritical(exception, "Kernel error while handling a system message in {Path}", Path);
            }
        }
    }

    private ValueTask InvokeUser(in Envelope<T> envelope)
    {
        _inbox.Current = envelope;
        return envelope.Meta is null ? _actor!.RunReceive(envelope.Message) : InvokeMarked(envelope);
    }

    private ValueTask InvokeMarked(in Envelope<T> envelope)
    {
        switch (envelope.Meta)
        {
            case IAskPromise:
                return _actor!.RunReceive(envelope.Message);
            case TimerTag<T> tag:
                return _timers is not null && _timers.Accept(tag) ? _actor!.RunReceive(envelope.Message) : default;
            case TerminatedSignal signal:
                return DeliverTerminated(signal.Actor);
            case PoisonPill:
                _state = CellState.Suspended;
                SendSystem(new StopActor());
                return default;
            default:
                throw new InvalidOperationException($"Unknown envelope marker {envelope.Meta?.GetType().Name}.");
        }
    }

    private SystemMessage? TakeSystemInbox()
    {
        // The inbox is a stack (newest first); reverse it into arrival order.
        var stack = Interlocked.Exchange(ref _systemInbox, null);
        SystemMessage? ordered = null;
        while (stack is not null)
        {
            var next = stack.Next;
            stack.Next = ordered;
            ordered = stack;
            stack = next;
        }

        return ordered;
    }

    private Actor<T> NewInstance()
    {
        t_creating = this;
        try
        {
            return _props.Factory();
        }
        finally
        {
            t_creating = null;
        }
    }

    private CancellationTokenSource CreateStoppingSource()
    {
        var source = new CancellationTokenSource();
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            source.Cancel();
        }

        return source;
    }

    private void SignalStopping()
    {
        var source = Volatile.Read(ref _stoppingSource);
        if (source is not null && !source.IsCancellationRequested)
        {
            // Cancel off this thread: registered callbacks must not run inside a sender's Tell.
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((CancellationTokenSource)s!).Cancel(), source);
        }
    }
}

/// <summary>Whether the current thread is running an actor's turn (so a tell comes from another actor).</summary>
internal static class ActorTurn
{
    [ThreadStatic]
    private static bool t_running;

    public static bool IsRunning
    {
        get => t_running;
        set => t_running = value;
    }
}
