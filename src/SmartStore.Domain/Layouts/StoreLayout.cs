namespace SmartStore.Domain.Layouts;

/// <summary>A point on the store floor, in metres from the floor's origin corner.</summary>
public readonly record struct Point(double X, double Y)
{
    public double DistanceTo(Point other) => Math.Sqrt(((X - other.X) * (X - other.X)) + ((Y - other.Y) * (Y - other.Y)));
}

/// <summary>An axis-aligned rectangle on the floor (shelf footprints, bins, camera coverage).</summary>
public readonly record struct Rect(Point Min, Point Max)
{
    public double Width => Max.X - Min.X;

    public double Depth => Max.Y - Min.Y;

    public bool Contains(Point p) => p.X >= Min.X && p.X <= Max.X && p.Y >= Min.Y && p.Y <= Max.Y;

    public bool Contains(Rect other) => Contains(other.Min) && Contains(other.Max);

    /// <summary>True when the interiors overlap (touching edges do not count).</summary>
    public bool Overlaps(Rect other) => Min.X < other.Max.X && other.Min.X < Max.X && Min.Y < other.Max.Y && other.Min.Y < Max.Y;

    public double DistanceTo(Point p)
    {
        var dx = Math.Max(Math.Max(Min.X - p.X, 0), p.X - Max.X);
        var dy = Math.Max(Math.Max(Min.Y - p.Y, 0), p.Y - Max.Y);
        return Math.Sqrt((dx * dx) + (dy * dy));
    }
}

/// <summary>Which way a gate lets people through.</summary>
public enum GateDirection
{
    Entry,
    Exit,
    Both,
}

public sealed record Gate(string Id, GateDirection Direction, Point From, Point To);

/// <summary>A camera: where it hangs (height in metres) and the floor area it sees.</summary>
public sealed record Camera(string Id, Point Position, double Height, Rect Sees);

/// <summary>A weighed bin on a shelf level, with the products stocked in it.</summary>
public sealed record Bin(string Id, string SensorId, int Level, Rect Area, IReadOnlyList<string> Skus, int Capacity);

/// <summary>A shelf: its footprint, its levels (1 at the bottom) and bins. Levels split its height evenly.</summary>
public sealed record Shelf(string Id, Rect Footprint, int Levels, IReadOnlyList<Bin> Bins)
{
    public const double DefaultHeight = 1.6;

    /// <summary>Height of the shelf's top above the floor, metres.</summary>
    public double Height { get; init; } = DefaultHeight;

    /// <summary>The heights (metres above the floor) between which a hand reaches into <paramref name="level"/>.</summary>
    public (double Low, double High) LevelSpan(int level) => ((level - 1) * Height / Levels, level * Height / Levels);
}

/// <summary>A unit weight with the spread (one standard deviation) seen between units, in grams.</summary>
public sealed record UnitWeight(double Grams, double Spread);

/// <summary>A product of the catalog. Prices are in minor units of the store's currency (cents), never floats.</summary>
public sealed record Product(string Sku, string Name, long UnitPrice, string TaxClass, UnitWeight Weight, bool AgeRestricted);

/// <summary>A store as the layout file describes it.</summary>
public sealed record StoreLayout(
    int Version,
    string StoreId,
    string Name,
    double FloorWidth,
    double FloorDepth,
    string Currency,
    IReadOnlyDictionary<string, int> TaxRatesBasisPoints,
    IReadOnlyList<Gate> Gates,
    IReadOnlyList<Camera> Cameras,
    IReadOnlyList<Shelf> Shelves,
    IReadOnlyList<Product> Products)
{
    public const int CurrentVersion = 1;

    public Rect Floor => new(new Point(0, 0), new Point(FloorWidth, FloorDepth));

    // Kept outside the record (keyed by instance) so that it takes no part in the record's equality.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoreLayout, Index> Indexes = [];

    public IEnumerable<Bin> Bins => Shelves.SelectMany(s => s.Bins);

    /// <summary>The product with this SKU (the first, if the file repeats one), or null.</summary>
    public Product? FindProduct(string sku) => Lookup().ProductsBySku.GetValueOrDefault(sku);

    /// <summary>The bin with this id, or null.</summary>
    public Bin? FindBin(string binId) => Lookup().BinsById.GetValueOrDefault(binId);

    /// <summary>The shelf a bin stands on, or null for a bin of another layout.</summary>
    public Shelf? ShelfOf(Bin bin) => bin is null ? null : Lookup().ShelvesByBin.GetValueOrDefault(bin.Id);

    /// <summary>The heights a hand reaching into <paramref name="bin"/> is at (its shelf level's span).</summary>
    public (double Low, double High)? HeightOf(Bin bin) => ShelfOf(bin) is { } shelf ? shelf.LevelSpan(bin.Level) : null;

    /// <summary>Fusion and pricing look products and bins up for every shelf event, so they are indexed once per layout.</summary>
    private Index Lookup() => Indexes.GetValue(this, static layout => new Index(layout.Products, layout.Shelves));

    private sealed class Index(IReadOnlyList<Product> products, IReadOnlyList<Shelf> shelves)
    {
        public Dictionary<string, Product> ProductsBySku { get; } = products.DistinctBy(p => p.Sku).ToDictionary(p => p.Sku, StringComparer.Ordinal);

        public Dictionary<string, Bin> BinsById { get; } = shelves.SelectMany(s => s.Bins).DistinctBy(b => b.Id).ToDictionary(b => b.Id, StringComparer.Ordinal);

        public Dictionary<string, Shelf> ShelvesByBin { get; } = shelves.SelectMany(s => s.Bins.Select(b => (b.Id, Shelf: s))).DistinctBy(x => x.Id).ToDictionary(x => x.Id, x => x.Shelf, StringComparer.Ordinal);
    }
}

/// <summary>One problem found in a layout file, where it is, in plain words.</summary>
public sealed record LayoutProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>A layout that did not load or validate; <see cref="Problems"/> lists every problem found.</summary>
public sealed class InvalidLayoutException(IReadOnlyList<LayoutProblem> problems)
    : Exception($"The store layout has {problems.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}")
{
    public IReadOnlyList<LayoutProblem> Problems { get; } = problems;
}
