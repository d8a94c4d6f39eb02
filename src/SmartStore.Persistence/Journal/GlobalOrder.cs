namespace SmartStore.Persistence;

/// <summary>Turns the rows after a position into a gap-free page (shared by every store).</summary>
public static class GlobalOrder
{
    /// <summary>
    /// Keeps rows while positions are contiguous from <paramref name="afterPosition"/> + 1; erased markers
    /// advance the position but are not returned. The first missing position, if later rows exist, is the gap.
    /// </summary>
    public static GlobalPage Page(IReadOnlyList<PersistedEvent> rows, long afterPosition, string erasedType, long oldestRunningWriter, long newestWriter)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var events = new List<PersistedEvent>(rows.Count);
        var last = afterPosition;
        foreach (var row in rows)
        {
            if (row.Position != last + 1)
            {
                return new GlobalPage(events, last, last + 1, oldestRunningWriter, newestWriter);
            }

            last = row.Position;
            if (!string.Equals(row.TypeName, erasedType, StringComparison.Ordinal))
            {
                events.Add(row);
            }
        }

        return new GlobalPage(events, last, null, oldestRunningWriter, newestWriter);
    }
}
