using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Transport;

/// <summary>
/// A store's own entity (region <c>stores</c>, entity id: the store id): it holds the store's MQTT session, so
/// the session lives wherever sharding puts the store. It is remembered: started once by <see cref="StoreCommand.GetSession"/>,
/// it comes back by itself on the node that takes over its shard after a crash or a move, and the broker hands
/// that node the session's queue (the session is named after the store, one holder at a time).
/// </summary>
/// <remarks>
/// Stopped by its shard's hand-off (<see cref="StoreCommand.HandOff"/>) or told to <see cref="StoreCommand.Drain"/>,
/// it drains first: everything received is stored and acknowledged before it disconnects. Stopped any other way
/// (its node going down), it drops the connection as a crash would and the broker keeps what was not acknowledged
/// for the next holder. A session that cannot be opened (the broker away at start) is tried again with back-off.
/// </remarks>
#pragma warning disable CA1001 // The token source is disposed in PostStop, the end of an actor's life.
public sealed class StoreSessionActor : ReceiveActor, IWithUnboundedStash, IWithTimers
#pragma warning restore CA1001
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly string _storeId;
    private readonly StoreSessions _sessions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _node;
    private MqttTransport? _transport;
    private string? _error;
    private TimeSpan _backoff = TimeSpan.FromSeconds(1);
    private bool _handingOff;

    public StoreSessionActor(string storeId, StoreSessions sessions)
    {
        _storeId = storeId;
        _sessions = sessions;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        Opening();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => StartOpening();

    protected override void PostStop()
    {
        _stopping.Cancel();
        if (_transport is { } transport)
        {
            // Not drained on purpose: as a crash, so nothing unstored is acknowledged on the way out.
            _sessions.Closed(_storeId, transport);
            _ = transport.AbortAsync().AsTask();
        }

        _stopping.Dispose();
        base.PostStop();
    }

    private void StartOpening()
    {
        var stopping = _stopping.Token;
        var system = Context.System;
        // On the thread pool, not the actor's scheduler: the session's own continuations must not queue behind this actor.
        Task.Run(
            async () =>
            {
                var transport = await _sessions.OpenAsync(_storeId, system, stopping);
                if (stopping.IsCancellationRequested)
                {
                    // Stopped while connecting: nobody holds this session, so it goes as a crash would.
                    _sessions.Closed(_storeId, transport);
                    await transport.AbortAsync();
                    throw new OperationCanceledException(stopping);
                }

                return transport;
            },
            stopping).PipeTo(Self, success: transport => new Opened(transport), failure: error => new Failed(error));
    }

    private StoreSessionState State(bool open, bool leaving = false) => new(_storeId, _node, _sessions.ClientIdOf(_storeId), open, _error, leaving);

    private void Opening()
    {
        Receive<Opened>(opened =>
        {
            _transport = opened.Transport;
            _error = null;
            _backoff = TimeSpan.FromSeconds(1);
            _log.Info("store {0}: session {1} open on this node", _storeId, _sessions.ClientIdOf(_storeId));
            Become(Running);
            Stash.UnstashAll();
        });
        Receive<Failed>(failed =>
        {
            _error = failed.Error.GetBaseException().Message;
            _log.Warning("store {0}: the session could not be opened ({1}); trying again in {2}", _storeId, _error, _backoff);
            Timers.StartSingleTimer(Reopen.Instance, Reopen.Instance, _backoff);
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
            Become(Broken);
            Stash.UnstashAll();
        });
        Receive<StoreCommand.HandOff>(_ => Context.Stop(Self));
        Receive<StoreCommand.Wake>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Running()
    {
        Receive<StoreCommand.Wake>(_ => { });
        Receive<StoreCommand.GetSession>(_ => Sender.Tell(State(open: true)));
        Receive<StoreCommand.Drain>(_ => BeginDrain(Sender));
        Receive<StoreCommand.HandOff>(_ =>
        {
            _handingOff = true;
            BeginDrain(ActorRefs.Nobody);
        });
    }

    private void BeginDrain(IActorRef asker)
    {
        var transport = _transport!;
        _transport = null;
        Become(Draining);

        // Drained on the thread pool: awaited here, the session's continuations would run on (and wait for) this actor.
        Task.Run(async () =>
        {
            await transport.DisposeAsync();
            _sessions.Closed(_storeId, transport);
        }).PipeTo(Self, asker, success: () => DrainFinished.Instance, failure: _ => DrainFinished.Instance);
    }

    private void Draining()
    {
        Receive<DrainFinished>(_ =>
        {
            _error = "drained: the store is leaving this node";
            if (!Sender.IsNobody())
            {
                Sender.Tell(State(open: false, leaving: true));
            }

            if (_handingOff)
            {
                Context.Stop(Self);
                return;
            }

            Become(Drained);
            Stash.UnstashAll();
        });
        Receive<StoreCommand.HandOff>(_ => _handingOff = true);
        Receive<StoreCommand.Wake>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Drained()
    {
        Receive<StoreCommand.Wake>(_ => { });
        Receive<StoreCommand.GetSession>(_ => Sender.Tell(State(open: false, leaving: true)));
        Receive<StoreCommand.Drain>(_ => Sender.Tell(State(open: false, leaving: true)));
        Receive<StoreCommand.HandOff>(_ => Context.Stop(Self));
    }

    private void Broken()
    {
        Receive<StoreCommand.Wake>(_ => { });
        Receive<StoreCommand.GetSession>(_ => Sender.Tell(State(open: false)));
        Receive<StoreCommand.Drain>(_ =>
        {
            Timers.CancelAll();
            Sender.Tell(State(open: false));
            Become(Drained);
        });
        Receive<StoreCommand.HandOff>(_ => Context.Stop(Self));
        Receive<Reopen>(_ =>
        {
            Become(Opening);
            StartOpening();
        });
    }

    private sealed record Opened(MqttTransport Transport);

    private sealed record Failed(Exception Error);

    private sealed record Reopen
    {
        public static readonly Reopen Instance = new();
    }

    private sealed record DrainFinished
    {
        public static readonly DrainFinished Instance = new();
    }
}
