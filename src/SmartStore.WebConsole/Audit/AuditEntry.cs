using Marten;

namespace SmartStore.WebConsole.Audit;

/// <summary>One thing someone did in the console: who, when, what, and on what. Entries are only ever inserted.</summary>
public sealed record AuditEntry(Guid Id, DateTimeOffset At, string Actor, string Action, string Detail);

/// <summary>
/// The append-only audit log: every correction, refund, erasure, sign-in (and refused sign-in) and role change.
/// Entries are inserted, never stored over (an insert of an existing id fails), and the console has no way to
/// change or delete one. Ids are time-ordered (UUID v7), so the log reads in the order things happened.
/// </summary>
public sealed class AuditLog(IDocumentStore store, TimeProvider clock)
{
    public async Task RecordAsync(string actor, string action, string detail, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Insert(new AuditEntry(Guid.CreateVersion7(clock.GetUtcNow()), clock.GetUtcNow(), actor, action, detail));
        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The newest entries first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> NewestAsync(int limit, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<AuditEntry>().OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
