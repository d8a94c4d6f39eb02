namespace SmartStore.ReadModels;

/// <summary>Where a shopper's account stands, as the read side knows it.</summary>
public enum ShopperStatus
{
    Enrolled,
    Erased,
}

/// <summary>
/// One shopper as the console lists them. Only what the journal stores in the clear: the id, the times and whether
/// a face is enrolled. The name, the payment token and the face template are sealed in the journal with the
/// shopper's own key, and erasure destroys that key; copying them here, in plain PostgreSQL, would undo the
/// erasure, so the console asks the node for them live when an operator opens one shopper.
/// </summary>
/// <param name="EnrolledAt">The consent time the enrolment was given with.</param>
/// <param name="FaceEnrolledAt">The consent time of the newest face enrolment.</param>
/// <param name="PaymentChangedAt">When the journal stored the newest payment method change (its event holds no time of its own, only the sealed token).</param>
/// <param name="Offset">The journal offset of the last event folded into this document.</param>
public sealed record ShopperDocument(
    string Id,
    ShopperStatus Status,
    DateTimeOffset? EnrolledAt,
    bool FaceEnrolled,
    DateTimeOffset? FaceEnrolledAt,
    DateTimeOffset? PaymentChangedAt,
    DateTimeOffset? ErasedAt,
    long Offset)
{
    /// <summary>An erased shopper: the id and when, nothing else.</summary>
    public static ShopperDocument Erased(string id, DateTimeOffset erasedAt, long offset) =>
        new(id, ShopperStatus.Erased, null, false, null, null, erasedAt, offset);

    /// <summary>Newest first in the list: when the shopper enrolled, or (all that is left of them) was erased.</summary>
    public DateTimeOffset? ListedAt => EnrolledAt ?? ErasedAt;
}
