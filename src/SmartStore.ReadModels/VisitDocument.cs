using SmartStore.Domain.Visits;

namespace SmartStore.ReadModels;

/// <summary>
/// One visit as the console reads it: its state folded from the journal with the visit's own rules (so the read
/// side can never disagree with the visit actor about what a receipt holds), and the journal offset of the last
/// event folded into it. No biometric data: a visit never holds any.
/// </summary>
public sealed record VisitDocument(string Id, VisitState State, long Offset)
{
    public string StoreId => State.StoreId;

    public string PayerId => State.PayerId;

    public VisitPhase Phase => State.Phase;

    /// <summary>The visit went to review (whether or not an operator has decided it since).</summary>
    public bool Reviewed => !State.ReviewReasons.IsEmpty;
}

/// <summary>How far a read model has read its tag: stored in the same transaction as the documents it produced.</summary>
public sealed record ProjectionCheckpoint(string Id, long Offset, long Events);
