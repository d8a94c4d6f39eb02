using Akka.Actor;
using Akka.Hosting;

namespace SmartStore.Node.Protocol;

// The keys under which the node's shard regions and singletons are found in Akka.Hosting's actor registry.
#pragma warning disable CA1812 // Only ever used as type arguments.
public sealed class GateRegion;

public sealed class CameraRegion;

public sealed class ShelfRegion;

public sealed class FloorRegion;

public sealed class StoreRegion;

public sealed class VisitRegion;

public sealed class AccountRegion;

public sealed class LedgerRegion;

public sealed class ReceiptProjection;

public sealed class DebtProjection;
#pragma warning restore CA1812

/// <summary>
/// The node's regions and projections, looked up when first used rather than when an entity is created: the
/// floor and the visits refer to each other, and remembered entities start while later regions still register.
/// </summary>
public sealed class NodeRegions(IReadOnlyActorRegistry registry)
{
    public IActorRef Gates => registry.Get<GateRegion>();

    public IActorRef Cameras => registry.Get<CameraRegion>();

    public IActorRef Shelves => registry.Get<ShelfRegion>();

    public IActorRef Floors => registry.Get<FloorRegion>();

    public IActorRef Stores => registry.Get<StoreRegion>();

    public IActorRef Visits => registry.Get<VisitRegion>();

    public IActorRef Accounts => registry.Get<AccountRegion>();

    public IActorRef Ledgers => registry.Get<LedgerRegion>();

    public IActorRef Receipts => registry.Get<ReceiptProjection>();

    public IActorRef Debts => registry.Get<DebtProjection>();
}
