using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;

namespace SmartStore.WebConsole.Live;

/// <summary>The layout as the map draws it, in metres: what the browser gets once, when it connects.</summary>
public sealed record MapLayout(string StoreId, string Name, double Width, double Depth, IReadOnlyList<MapShelf> Shelves, IReadOnlyList<MapGate> Gates, IReadOnlyList<MapCamera> Cameras)
{
    public static MapLayout Of(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var names = layout.Products.ToDictionary(p => p.Sku, p => p.Name, StringComparer.Ordinal);
        return new MapLayout(
            layout.StoreId,
            layout.Name,
            layout.FloorWidth,
            layout.FloorDepth,
            [
                .. layout.Shelves.Select(s => new MapShelf(
                    s.Id,
                    MapRect.Of(s.Footprint),
                    [.. s.Bins.Select(b => new MapBin(b.Id, b.Level, MapRect.Of(b.Area), string.Join(", ", b.Skus.Select(sku => names.GetValueOrDefault(sku, sku)))))])),
            ],
            [.. layout.Gates.Select(g => new MapGate(g.Id, g.Direction.ToString().ToLowerInvariant(), g.From.X, g.From.Y, g.To.X, g.To.Y))],
            [.. layout.Cameras.Select(c => new MapCamera(c.Id, c.Position.X, c.Position.Y, MapRect.Of(c.Sees)))]);
    }
}

public sealed record MapRect(double X, double Y, double Width, double Height)
{
    public static MapRect Of(Rect rect) => new(rect.Min.X, rect.Min.Y, rect.Max.X - rect.Min.X, rect.Max.Y - rect.Min.Y);
}

public sealed record MapShelf(string Id, MapRect Footprint, IReadOnlyList<MapBin> Bins);

public sealed record MapBin(string Id, int Level, MapRect Area, string Products);

public sealed record MapGate(string Id, string Direction, double X1, double Y1, double X2, double Y2);

public sealed record MapCamera(string Id, double X, double Y, MapRect Sees);

/// <summary>A person on the map: the visit and its payer when the track's binding is clear; <paramref name="SeenMs"/> is the device time of the sighting drawn.</summary>
public sealed record MapPerson(string TrackId, double X, double Y, long SeenMs, string? VisitId, string? PayerId, bool Doubtful);

/// <summary>A bin to flash: a pick or a put-back that reached a cart since the previous frame.</summary>
public sealed record BinFlash(string BinId, string Kind, string Sku, int Units, string VisitId);

/// <summary>One frame of the live map. <paramref name="WatermarkMs"/> is the floor's event time (device clock).</summary>
public sealed record MapFrame(long WatermarkMs, int VisitsInside, IReadOnlyList<MapPerson> People, IReadOnlyList<BinFlash> Flashes);

/// <summary>
/// Turns floor views into map frames: the people where the cameras last saw them, and the cart changes that are
/// new since the previous frame as bin flashes. Remembers which changes it has flashed (by their event id), so
/// each flashes once. A put-back that empties a line takes the line, and its changes, out of the cart: that one
/// is told by the line vanishing from a visit still on the floor, and flashes the bin the line's last pick came from.
/// </summary>
public sealed class MapFrameBuilder
{
    private HashSet<string> _flashed = new(StringComparer.Ordinal);
    private Dictionary<(string Visit, string Sku), (int Units, string Bin)> _lines = [];

    public MapFrame Next(FloorView floor)
    {
        ArgumentNullException.ThrowIfNull(floor);
        var payers = floor.Visits.ToDictionary(v => v.VisitId, v => v.PayerId, StringComparer.Ordinal);
        var people = floor.People
            .Select(p => new MapPerson(p.TrackId, Math.Round(p.X, 2), Math.Round(p.Y, 2), p.SeenMs, p.VisitId, p.VisitId is { } id ? payers.GetValueOrDefault(id) : null, p.Doubtful))
            .ToList();

        var flashes = new List<BinFlash>();
        var flashed = new HashSet<string>(StringComparer.Ordinal);
        var lines = new Dictionary<(string Visit, string Sku), (int Units, string Bin)>();
        foreach (var visit in floor.Visits)
        {
            foreach (var line in visit.Cart.Lines.Values)
            {
                foreach (var change in line.Changes)
                {
                    flashed.Add(change.Evidence.EventId);
                    if (!_flashed.Contains(change.Evidence.EventId))
                    {
                        flashes.Add(new BinFlash(change.Evidence.BinId, change.Units > 0 ? "pick" : "put-back", change.Sku, Math.Abs(change.Units), visit.VisitId));
                    }
                }

                lines[(visit.VisitId, line.Sku)] = (line.Units, (line.Changes.LastOrDefault(c => c.Units > 0) ?? line.Changes[^1]).Evidence.BinId);
            }
        }

        foreach (var (key, (units, bin)) in _lines)
        {
            if (!lines.ContainsKey(key) && payers.ContainsKey(key.Visit))
            {
                flashes.Add(new BinFlash(bin, "put-back", key.Sku, units, key.Visit));
            }
        }

        _flashed = flashed;
        _lines = lines;
        return new MapFrame(floor.WatermarkMs, floor.VisitsInside, people, flashes);
    }
}
