namespace SmartStore.Actors;

/// <summary>What a coordinated shutdown did.</summary>
/// <param name="Elapsed">Wall-clock time the shutdown took.</param>
/// <param name="Drained">Whether every mailbox emptied within the drain bound.</param>
/// <param name="Completed">Whether every actor stopped within the stop bound.</param>
/// <param name="ActorsAtStart">Live actors when the shutdown began.</param>
/// <param name="ActorsLeft">Actors still alive at the end (0 when <paramref name="Completed"/>).</param>
/// <param name="MessagesPendingAtStop">User messages still queued when the tree was told to stop.</param>
/// <param name="MessagesDropped">Dead letters recorded during the shutdown.</param>
public sealed record ShutdownReport(
    TimeSpan Elapsed,
    bool Drained,
    bool Completed,
    long ActorsAtStart,
    long ActorsLeft,
    long MessagesPendingAtStop,
    long MessagesDropped);

/// <summary>Walks the tree to see whether any actor still has work.</summary>
internal static class ShutdownDrain
{
    public static async Task<bool> WaitForQuiescenceAsync(IActorCell root, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        var quietRounds = 0;
        while (deadline.Elapsed < bound)
        {
            // Two quiet walks in a row: a message in flight between two actors shows up in one of them.
            quietRounds = IsQuiet(root) ? quietRounds + 1 : 0;
            if (quietRounds >= 2)
            {
                return true;
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    public static long CountPending(IActorCell root)
    {
        long pending = 0;
        Walk(root, cell => pending += cell.PendingUserMessages);
        return pending;
    }

    private static bool IsQuiet(IActorCell root)
    {
        var quiet = true;
        Walk(root, cell => quiet &= cell.PendingUserMessages == 0 && !cell.IsScheduled);
        return quiet;
    }

    private static void Walk(IActorCell root, Action<IActorCell> visit)
    {
        var stack = new Stack<IActorCell>();
        var children = new List<IActorCell>();
        stack.Push(root);
        while (stack.TryPop(out var cell))
        {
            if (!ReferenceEquals(cell, root))
            {
                visit(cell);
            }

            children.Clear();
            cell.CollectChildren(children);
            foreach (var child in children)
            {
                stack.Push(child);
            }
        }
    }
}
