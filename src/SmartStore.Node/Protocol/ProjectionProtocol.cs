namespace SmartStore.Node.Protocol;

/// <summary>What a shopper owes (declined visits), as the debt projection knows it; answered with <see cref="DebtOf"/>.</summary>
public sealed record GetDebt(string ShopperId);

public sealed record DebtOf(string ShopperId, long AmountMinor);

/// <summary>How far a projection has read its tag; answered with <see cref="ProjectionPosition"/>.</summary>
public sealed record GetProjectionPosition
{
    public static readonly GetProjectionPosition Instance = new();
}

public sealed record ProjectionPosition(string Projection, long Offset, long Events);
