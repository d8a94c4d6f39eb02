using SmartStore.Actors;

namespace SmartStore.Persistence.Tests;

public abstract record CartCommand
{
    public sealed record Add(string Sku, ActorRef<long> ReplyTo) : CartCommand;

    public sealed record AddUnserialisable(ActorRef<string> ReplyTo) : CartCommand;

    public sealed record Get(ActorRef<CartSnapshot> ReplyTo) : CartCommand;
}

public sealed record CartSnapshot(CartState State, long Version, long RecoveredEvents);

/// <summary>A small event-sourced cart: replies with its version after each persisted item.</summary>
public sealed class CartActor(string id, EventSourcing persistence) : EventSourcedActor<CartCommand, object, CartState>(persistence)
{
    protected override string PersistenceId => $"cart-{id}";

    protected override CartState InitialState => new(0, 0);

    protected override CartState Apply(CartState state, object @event) => @event switch
    {
        ItemAdded added => state with { Items = state.Items + added.Quantity, Changes = state.Changes + 1 },
        ItemRemoved => state with { Items = state.Items - 1, Changes = state.Changes + 1 },
        _ => throw new InvalidOperationException($"Unknown event {@event.GetType().Name}"),
    };

    protected override async ValueTask HandleAsync(CartCommand command)
    {
        switch (command)
        {
            case CartCommand.Add add:
                await PersistAsync(new ItemAdded(add.Sku, 1));
                add.ReplyTo.Tell(Version);
                break;
            case CartCommand.AddUnserialisable bad:
                var cyclic = new Unserialisable();
                cyclic.Self = cyclic;
                try
                {
                    await PersistAsync(cyclic);
                }
                finally
                {
                    bad.ReplyTo.Tell($"version {Version}");
                }

                break;
            case CartCommand.Get get:
                get.ReplyTo.Tell(new CartSnapshot(State, Version, RecoveredEvents));
                break;
        }
    }
}
