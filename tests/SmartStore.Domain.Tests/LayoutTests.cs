using SmartStore.Domain.Layouts;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class LayoutTests
{
    private static string Shipped(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", name));

    private const string Valid = """
        version: 1
        store:
          id: tiny
          name: Tiny store
          floor: { width: 10, depth: 6 }
        currency: EUR
        tax_classes:
          standard: 2000
        gates:
          - { id: in, direction: entry, line: [[1, 0], [2, 0]] }
          - { id: out, direction: exit, line: [[8, 0], [9, 0]] }
        cameras:
          - { id: cam-1, position: [5, 3, 3], sees: [[0, 0], [10, 6]] }
        shelves:
          - id: s1
            footprint: [[2, 2], [4, 2.5]]
            levels: 2
            bins:
              - { id: b1, sensor: w1, level: 1, area: [[2, 2], [3, 2.5]], products: [cola], capacity: 20 }
              - { id: b2, sensor: w2, level: 1, area: [[3, 2], [4, 2.5]], products: [lemonade, cola], capacity: 20 }
        products:
          - { sku: cola, name: "Cola", price: 149, tax: standard, weight: { grams: 350, spread: 5 }, age_restricted: false }
          - { sku: lemonade, name: "Lemonade", price: 139, tax: standard, weight: { grams: 345, spread: 5 }, age_restricted: false }
        """;

    [Fact]
    public void A_valid_layout_reads_into_the_model()
    {
        var layout = LayoutReader.Parse(Valid, "tiny.yaml");

        Assert.Equal("tiny", layout.StoreId);
        Assert.Equal(2, layout.Gates.Count);
        Assert.Equal(GateDirection.Exit, layout.Gates[1].Direction);
        Assert.Equal(["lemonade", "cola"], layout.Shelves[0].Bins[1].Skus);
        Assert.Equal(new Rect(new Point(3, 2), new Point(4, 2.5)), layout.Shelves[0].Bins[1].Area);
        Assert.Equal(149, layout.FindProduct("cola")!.UnitPrice);
        Assert.Equal(2000, layout.TaxRatesBasisPoints["standard"]);
    }

    [Theory]
    [InlineData("small-convenience.yaml", 1, 1, 4, 6, 4, 25)]
    [InlineData("medium-grocery.yaml", 2, 2, 20, 40, 1, 200)]
    public void The_shipped_layouts_are_valid_and_as_large_as_promised(string file, int entries, int exits, int cameras, int shelves, int binsPerShelf, int products)
    {
        var layout = LayoutReader.Parse(Shipped(file), file);

        Assert.True(layout.Gates.Count(g => g.Direction == GateDirection.Entry) >= entries);
        Assert.True(layout.Gates.Count(g => g.Direction == GateDirection.Exit) >= exits);
        Assert.True(layout.Cameras.Count >= cameras);
        Assert.True(layout.Shelves.Count >= shelves);
        Assert.All(layout.Shelves, s => Assert.True(s.Bins.Count >= binsPerShelf));
        Assert.True(layout.Products.Count >= products);
    }

    [Theory]
    [InlineData("small-convenience.yaml")]
    [InlineData("medium-grocery.yaml")]
    public void The_shipped_layouts_put_products_within_five_percent_of_each_other_on_neighbouring_bins(string file)
    {
        var layout = LayoutReader.Parse(Shipped(file), file);
        var confusable = layout.Shelves.SelectMany(shelf => shelf.Bins.Zip(shelf.Bins.Skip(1)))
            .Where(pair => pair.First.Level == pair.Second.Level)
            .Select(pair => (A: layout.FindProduct(pair.First.Skus[0])!, B: layout.FindProduct(pair.Second.Skus[0])!))
            .Count(p => Math.Abs(p.A.Weight.Grams - p.B.Weight.Grams) <= 0.05 * Math.Max(p.A.Weight.Grams, p.B.Weight.Grams));
        Assert.True(confusable >= 3, $"only {confusable} neighbouring pairs are within 5%");
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_line()
    {
        var broken = Valid
            .Replace("{ id: out, direction: exit, line: [[8, 0], [9, 0]] }", "{ id: out, direction: exit, line: [[8, 0], [19, 0]] }", StringComparison.Ordinal)
            .Replace("products: [lemonade, cola]", "products: [lemonade, fanta]", StringComparison.Ordinal)
            .Replace("{ id: b2, sensor: w2, level: 1, area: [[3, 2], [4, 2.5]]", "{ id: b2, sensor: w1, level: 1, area: [[2.5, 2], [4, 2.5]]", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidLayoutException>(() => LayoutReader.Parse(broken, "broken.yaml"));

        var messages = error.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("broken.yaml:11:", StringComparison.Ordinal) && m.Contains("gate 'out' lies outside", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("broken.yaml:20:", StringComparison.Ordinal) && m.Contains("unknown SKU 'fanta'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("broken.yaml:20:", StringComparison.Ordinal) && m.Contains("weight sensor 'w1' is used by more than one bin", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("broken.yaml:20:", StringComparison.Ordinal) && m.Contains("overlaps bin 'b1'", StringComparison.Ordinal));
        Assert.Equal(4, error.Problems.Count);
    }

    [Theory]
    [InlineData("version: 2", "version 2 is not supported")]
    [InlineData("tax: standard, weight: { grams: 350", "unknown tax class")]
    [InlineData("direction: entry", "the store has no entry gate")]
    [InlineData("price: 149", "negative price")]
    [InlineData("capacity: 20 }\n      - { id: b2", "capacity of at least one unit")]
    [InlineData("level: 1, area: [[2, 2], [3, 2.5]]", "level 3")]
    public void Each_rule_names_what_is_wrong(string fragment, string expected)
    {
        var replacement = fragment switch
        {
            "version: 2" => ("version: 1", "version: 2"),
            "tax: standard, weight: { grams: 350" => ("tax: standard, weight: { grams: 350", "tax: luxury, weight: { grams: 350"),
            "direction: entry" => ("direction: entry", "direction: exit"),
            "price: 149" => ("price: 149", "price: -1"),
            "capacity: 20 }\n      - { id: b2" => ("capacity: 20 }\n      - { id: b2", "capacity: 0 }\n      - { id: b2"),
            _ => ("level: 1, area: [[2, 2], [3, 2.5]]", "level: 3, area: [[2, 2], [3, 2.5]]"),
        };

        var (_, problems) = LayoutReader.TryParse(Valid.Replace(replacement.Item1, replacement.Item2, StringComparison.Ordinal), "x.yaml");

        Assert.Contains(problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_yaml_is_reported_with_its_line_not_thrown()
    {
        var (layout, problems) = LayoutReader.TryParse("version: 1\nstore: { id: x\n  name: [unclosed\n", "bad.yaml");

        Assert.Null(layout);
        var problem = Assert.Single(problems);
        Assert.Equal("bad.yaml", problem.File);
        Assert.Contains("not valid YAML", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_sections_and_wrong_types_are_problems_not_crashes()
    {
        var (_, problems) = LayoutReader.TryParse("version: one\nstore: nope\n", "thin.yaml");

        Assert.Contains(problems, p => p.Message.Contains("'one' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("'store' must be a mapping", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("'gates' is missing", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.True(p.Line >= 1));
    }
}
