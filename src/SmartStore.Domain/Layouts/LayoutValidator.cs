namespace SmartStore.Domain.Layouts;

/// <summary>
/// Checks a layout for everything that would make the store misbehave, and reports all problems at once.
/// <paramref name="lines"/> maps each element to the line it came from (by reference), so messages point
/// into the file.
/// </summary>
public static class LayoutValidator
{
    public static IReadOnlyList<LayoutProblem> Validate(StoreLayout layout, string file, IReadOnlyDictionary<object, int>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var problems = new List<LayoutProblem>();
        int LineOf(object element) => lines is not null && lines.TryGetValue(element, out var line) ? line : 0;
        void Add(object element, string message) => problems.Add(new LayoutProblem(file, LineOf(element), message));

        if (layout.FloorWidth <= 0 || layout.FloorDepth <= 0)
        {
            Add(layout, $"the floor must have a positive width and depth (got {layout.FloorWidth} × {layout.FloorDepth} m)");
        }

        if (layout.Currency.Length != 3 || !layout.Currency.All(char.IsAsciiLetterUpper))
        {
            Add(layout, $"currency '{layout.Currency}' must be a three-letter ISO 4217 code such as EUR");
        }

        foreach (var (taxClass, rate) in layout.TaxRatesBasisPoints)
        {
            if (rate is < 0 or > 10_000)
            {
                Add(layout, $"tax class '{taxClass}' has rate {rate} basis points; it must be 0..10000");
            }
        }

        Duplicates(layout.Gates.Select(g => (g.Id, (object)g)), "gate", Add);
        Duplicates(layout.Cameras.Select(c => (c.Id, (object)c)), "camera", Add);
        Duplicates(layout.Shelves.Select(s => (s.Id, (object)s)), "shelf", Add);
        Duplicates(layout.Bins.Select(b => (b.Id, (object)b)), "bin", Add);
        Duplicates(layout.Products.Select(p => (p.Sku, (object)p)), "product", Add);
        Duplicates(layout.Bins.Select(b => (b.SensorId, (object)b)), "weight sensor", Add, "is used by more than one bin");

        var floor = layout.Floor;
        foreach (var gate in layout.Gates)
        {
            if (!floor.Contains(gate.From) || !floor.Contains(gate.To))
            {
                Add(gate, $"gate '{gate.Id}' lies outside the {layout.FloorWidth} × {layout.FloorDepth} m floor");
            }

            if (gate.From == gate.To)
            {
                Add(gate, $"gate '{gate.Id}' has a line of zero length");
            }
        }

        if (!layout.Gates.Any(g => g.Direction is GateDirection.Entry or GateDirection.Both))
        {
            Add(layout, "the store has no entry gate");
        }

        if (!layout.Gates.Any(g => g.Direction is GateDirection.Exit or GateDirection.Both))
        {
            Add(layout, "the store has no exit gate");
        }

        foreach (var camera in layout.Cameras)
        {
            if (!floor.Contains(camera.Position) || camera.Height <= 0)
            {
                Add(camera, $"camera '{camera.Id}' must hang above the floor (inside it, at a positive height)");
            }

            if (camera.Sees.Width <= 0 || camera.Sees.Depth <= 0)
            {
                Add(camera, $"camera '{camera.Id}' sees an empty area");
            }
        }

        var skus = layout.Products.Select(p => p.Sku).ToHashSet(StringComparer.Ordinal);
        foreach (var shelf in layout.Shelves)
        {
            if (!floor.Contains(shelf.Footprint) || shelf.Footprint.Width <= 0 || shelf.Footprint.Depth <= 0)
            {
                Add(shelf, $"shelf '{shelf.Id}' must stand on the floor with a non-empty footprint");
            }

            if (shelf.Levels < 1)
            {
                Add(shelf, $"shelf '{shelf.Id}' needs at least one level");
            }

            if (!double.IsFinite(shelf.Height) || shelf.Height <= 0 || shelf.Height > 4)
            {
                Add(shelf, $"shelf '{shelf.Id}' has a height of {shelf.Height} m; a shelf stands 0 to 4 m tall");
            }

            foreach (var bin in shelf.Bins)
            {
                if (!shelf.Footprint.Contains(bin.Area) || bin.Area.Width <= 0 || bin.Area.Depth <= 0)
                {
                    Add(bin, $"bin '{bin.Id}' must lie within the footprint of shelf '{shelf.Id}'");
                }

                if (bin.Level < 1 || bin.Level > shelf.Levels)
                {
                    Add(bin, $"bin '{bin.Id}' is on level {bin.Level}, but shelf '{shelf.Id}' has levels 1..{shelf.Levels}");
                }

                if (bin.Capacity < 1)
                {
                    Add(bin, $"bin '{bin.Id}' needs a capacity of at least one unit");
                }

                if (bin.Skus.Count == 0)
                {
                    Add(bin, $"bin '{bin.Id}' stocks no product");
                }

                foreach (var sku in bin.Skus.Where(s => !skus.Contains(s)))
                {
                    Add(bin, $"bin '{bin.Id}' stocks unknown SKU '{sku}'");
                }
            }

            for (var i = 0; i < shelf.Bins.Count; i++)
            {
                for (var j = i + 1; j < shelf.Bins.Count; j++)
                {
                    var (a, b) = (shelf.Bins[i], shelf.Bins[j]);
                    if (a.Level == b.Level && a.Area.Overlaps(b.Area))
                    {
                        Add(b, $"bin '{b.Id}' overlaps bin '{a.Id}' on level {a.Level} of shelf '{shelf.Id}'");
                    }
                }
            }
        }

        foreach (var product in layout.Products)
        {
            if (product.UnitPrice < 0)
            {
                Add(product, $"product '{product.Sku}' has a negative price");
            }

            if (product.Weight.Grams <= 0 || product.Weight.Spread < 0)
            {
                Add(product, $"product '{product.Sku}' needs a positive unit weight and a non-negative spread");
            }

            if (!layout.TaxRatesBasisPoints.ContainsKey(product.TaxClass))
            {
                Add(product, $"product '{product.Sku}' has unknown tax class '{product.TaxClass}'");
            }
        }

        return problems;
    }

    private static void Duplicates(IEnumerable<(string Id, object Element)> items, string kind, Action<object, string> add, string what = "is defined more than once")
    {
        foreach (var group in items.Where(i => i.Id.Length > 0).GroupBy(i => i.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var (id, element) in group.Skip(1))
            {
                add(element, $"{kind} '{id}' {what}");
            }
        }
    }
}
