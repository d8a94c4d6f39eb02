using SmartStore.Domain.Accounts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Protocol;

/// <summary>
/// The answer to a device message: sent once its effect is stored (or once it was judged a duplicate, late, or
/// refused). A failure to store it is answered with <see cref="Akka.Actor.Status.Failure"/> instead, and the
/// transport then does not acknowledge the message to its source.
/// </summary>
public sealed record Delivered(Delivery Outcome)
{
    public static readonly Delivered Accepted = new(Delivery.Accepted);
    public static readonly Delivered Duplicate = new(Delivery.Duplicate);
    public static readonly Delivered Late = new(Delivery.Late);
    public static readonly Delivered Rejected = new(Delivery.Rejected);

    public static Delivered Of(Delivery outcome) => outcome switch
    {
        Delivery.Accepted => Accepted,
        Delivery.Duplicate => Duplicate,
        Delivery.Late => Late,
        _ => Rejected,
    };
}

/// <summary>The visit after a command, or why the command was refused.</summary>
public sealed record VisitReply(VisitState State, string? Refused = null);

/// <summary>The account after a command (personal fields in the clear, for its owner's node only), or why it was refused.</summary>
public sealed record AccountReply(AccountState State, string? Refused = null);

/// <summary>A face enrolment's answer: enrolled, or every reason it was not (one per failing photo).</summary>
public sealed record FaceEnrolment(bool Enrolled, IReadOnlyList<string> Refusals, AccountReply? Account)
{
    public static FaceEnrolment Refused(string reason) => new(false, [reason], null);
}
