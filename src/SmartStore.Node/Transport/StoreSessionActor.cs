using Akka.Actor;

namespace SmartStore.Node.Transport;

/// <summary>
/// The store's MQTT session as an actor of the store (<c>store-session-{store}</c>): it opens the session when it
/// starts and closes it when it stops, so the session lives wherever this actor lives. The session is named after
/// the store (<c>smartstore-node-{store}</c> unless configured), so a broker hands it to one holder at a time and
/// keeps its queue in between; a cluster can move the store by stopping this actor on one node and starting it on
/// another.
/// </summary>
/// <remarks>
/// Stopped with <see cref="Close"/>, it drains (everything received is stored and acknowledged) before it goes;
/// stopped any other way (its node going down, a supervisor), it drops the connection as a crash would and the
/// broker sends what was not acknowledged to the next holder.
/// </remarks>
#pragma warning disable CA1001 // The token source is disposed in PostStop, the end of an actor's life.
public sealed class StoreSessionActor : ReceiveActor, IWithUnboundedStash
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _stopping = new();
    private MqttTransport? _transport;
    private Exception? _failure;

    public StoreSessionActor(Func<CancellationToken, Task<MqttTransport>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        // On the thread pool, not the actor's scheduler: the session's own continuations must not queue behind this actor.
        var stopping = _stopping.Token;
        Task.Run(() => open(stopping), stopping).PipeTo(Self, success: transport => new Opened(transport), failure: error => new Failed(error));
        Starting();
    }

    public IStash Stash { get; set; } = null!;

    protected override void PostStop()
    {
        _stopping.Cancel();
        if (_transport is { } transport)
        {
            // Not closed on purpose: as a crash, so nothing unstored is acknowledged on the way out.
            _ = transport.AbortAsync().AsTask();
        }

        _stopping.Dispose();
        base.PostStop();
    }

    private void Starting()
    {
        Receive<Opened>(opened =>
        {
            _transport = opened.Transport;
            Become(Running);
            Stash.UnstashAll();
        });
        Receive<Failed>(failed =>
        {
            _failure = failed.Error;
            Become(Broken);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Running()
    {
        Receive<GetTransport>(_ => Sender.Tell(new Opened(_transport!)));
        Receive<Close>(_ =>
        {
            var transport = _transport!;
            _transport = null;
            var asker = Sender;
            Become(Closing);

            // Drained on the thread pool: awaited here, the session's continuations would run on (and wait for) this actor.
            Task.Run(async () => await transport.DisposeAsync()).PipeTo(Self, asker, success: () => Closed.Instance, failure: _ => Closed.Instance);
        });
    }

    private void Closing()
    {
        Receive<Closed>(closed =>
        {
            Sender.Tell(closed);
            Context.Stop(Self);
        });
        Receive<Close>(_ => Stash.Stash());
    }

    private void Broken()
    {
        Receive<GetTransport>(_ => Sender.Tell(new Failed(_failure!)));
        Receive<Close>(_ =>
        {
            Sender.Tell(Closed.Instance);
            Context.Stop(Self);
        });
    }

    /// <summary>Answered with <see cref="Opened"/> or <see cref="Failed"/> once the session is connected or could not be.</summary>
    public sealed record GetTransport
    {
        public static readonly GetTransport Instance = new();
    }

    /// <summary>Drain, disconnect and stop; answered with <see cref="Closed"/>.</summary>
    public sealed record Close
    {
        public static readonly Close Instance = new();
    }

    public sealed record Closed
    {
        public static readonly Closed Instance = new();
    }

    internal sealed record Opened(MqttTransport Transport);

    internal sealed record Failed(Exception Error);
}

/// <summary>A store's open session and the actor that owns it; disposing closes it through the actor (drained).</summary>
public sealed class StoreSession(IActorRef owner, MqttTransport transport) : IAsyncDisposable
{
    private int _closed;

    public IActorRef Owner { get; } = owner;

    public MqttTransport Transport { get; } = transport;

    /// <summary>Opens the store's session in an actor of its own and returns it once it is connected; throws what stopped it.</summary>
    public static async Task<StoreSession> OpenAsync(ActorSystem system, string storeId, Func<CancellationToken, Task<MqttTransport>> open, TimeSpan patience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        var owner = system.ActorOf(Props.Create(() => new StoreSessionActor(open)), $"store-session-{storeId}");
        var answer = await owner.Ask<object>(StoreSessionActor.GetTransport.Instance, patience, cancellationToken);
        if (answer is StoreSessionActor.Opened opened)
        {
            return new StoreSession(owner, opened.Transport);
        }

        system.Stop(owner);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(((StoreSessionActor.Failed)answer).Error);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            // The drain has its own limit (the session's drain timeout); this only bounds a lost answer.
            await Owner.Ask<StoreSessionActor.Closed>(StoreSessionActor.Close.Instance, TimeSpan.FromMinutes(2));
        }
    }
}
