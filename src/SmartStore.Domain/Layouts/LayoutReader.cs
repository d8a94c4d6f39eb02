using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartStore.Domain.Layouts;

/// <summary>
/// Reads a layout from YAML text (see store-layouts/README.md for the format). It collects every problem
/// with its line instead of stopping at the first, then runs <see cref="LayoutValidator"/> on what it read.
/// </summary>
public static class LayoutReader
{
    /// <summary>Parses and validates; throws <see cref="InvalidLayoutException"/> listing every problem.</summary>
    public static StoreLayout Parse(string yaml, string fileName)
    {
        var (layout, problems) = TryParse(yaml, fileName);
        return problems.Count == 0 ? layout! : throw new InvalidLayoutException(problems);
    }

    public static (StoreLayout? Layout, IReadOnlyList<LayoutProblem> Problems) TryParse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var reader = new Reader(fileName);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                return (null, [new LayoutProblem(fileName, 1, "the file must hold one YAML mapping (version, store, gates, ...)")]);
            }

            root = map;
        }
        catch (YamlException exception)
        {
            return (null, [new LayoutProblem(fileName, (int)exception.Start.Line, $"not valid YAML: {exception.Message}")]);
        }

        var layout = reader.Read(root);
        var problems = reader.Problems.ToList();
        if (problems.Count == 0)
        {
            problems.AddRange(LayoutValidator.Validate(layout, fileName, reader.Lines));
        }

        return (problems.Count == 0 ? layout : null, problems);
    }

    /// <summary>Walks the YAML tree, noting problems and the line of every element it builds.</summary>
    private sealed class Reader(string file)
    {
        public List<LayoutProblem> Problems { get; } = [];

        public Dictionary<object, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

        public StoreLayout Read(YamlMappingNode root)
        {
            var version = Int(root, "version", 1);
            if (version != StoreLayout.CurrentVersion)
            {
                Problem(root, $"layout version {version} is not supported (this build reads version {StoreLayout.CurrentVersion})");
            }

            var store = Map(root, "store");
            var floor = store is null ? null : Map(store, "floor");
            var taxes = new Dictionary<string, int>(StringComparer.Ordinal);
            if (Map(root, "tax_classes") is { } taxMap)
            {
                foreach (var (key, value) in taxMap.Children)
                {
                    taxes[Text(key)] = ParseInt(value, "tax rate (basis points)");
                }
            }

            var layout = new StoreLayout(
                version,
                store is null ? string.Empty : String(store, "id"),
                store is null ? string.Empty : String(store, "name"),
                floor is null ? 0 : Number(floor, "width"),
                floor is null ? 0 : Number(floor, "depth"),
                String(root, "currency"),
                taxes,
                Items(root, "gates", ReadGate),
                Items(root, "cameras", ReadCamera),
                Items(root, "shelves", ReadShelf),
                Items(root, "products", ReadProduct));
            Lines[layout] = (int)root.Start.Line;
            return layout;
        }

        private Gate ReadGate(YamlMappingNode node)
        {
            var direction = String(node, "direction") switch
            {
                "entry" => GateDirection.Entry,
                "exit" => GateDirection.Exit,
                "both" => GateDirection.Both,
                var other => Fail(node, $"gate direction '{other}' must be entry, exit or both", GateDirection.Both),
            };
            var line = Points(node, "line");
            var gate = new Gate(String(node, "id"), direction, line.ElementAtOrDefault(0), line.ElementAtOrDefault(1));
            if (line.Count != 2)
            {
                Problem(node, $"gate '{gate.Id}' needs a line of exactly two points");
            }

            return Note(gate, node);
        }

        private Camera ReadCamera(YamlMappingNode node)
        {
            var position = Numbers(node, "position");
            if (position.Count != 3)
            {
                Problem(node, "camera position must be [x, y, height]");
            }

            return Note(new Camera(String(node, "id"), new Point(position.ElementAtOrDefault(0), position.ElementAtOrDefault(1)), position.ElementAtOrDefault(2), Rectangle(node, "sees")), node);
        }

        private Shelf ReadShelf(YamlMappingNode node)
        {
            var height = node.Children.ContainsKey(new YamlScalarNode("height")) ? Number(node, "height") : Shelf.DefaultHeight;
            return Note(new Shelf(String(node, "id"), Rectangle(node, "footprint"), Int(node, "levels", 1), Items(node, "bins", ReadBin)) { Height = height }, node);
        }

        private Bin ReadBin(YamlMappingNode node)
        {
            var skus = node.Children.TryGetValue(new YamlScalarNode("products"), out var list) && list is YamlSequenceNode sequence
                ? sequence.Children.Select(Text).ToArray()
                : Fail<string[]>(node, "bin needs a 'products' list of SKUs", []);
            return Note(new Bin(String(node, "id"), String(node, "sensor"), Int(node, "level", 1), Rectangle(node, "area"), skus, Int(node, "capacity", 0)), node);
        }

        private Product ReadProduct(YamlMappingNode node)
        {
            var weight = Map(node, "weight");
            var restricted = node.Children.TryGetValue(new YamlScalarNode("age_restricted"), out var flag) && Text(flag) == "true";
            return Note(
                new Product(
                    String(node, "sku"),
                    String(node, "name"),
                    Int(node, "price", 0),
                    String(node, "tax"),
                    weight is null ? new UnitWeight(0, 0) : new UnitWeight(Number(weight, "grams"), Number(weight, "spread")),
                    restricted),
                node);
        }

        private T Note<T>(T element, YamlNode node)
            where T : notnull
        {
            Lines[element] = (int)node.Start.Line;
            return element;
        }

        private List<T> Items<T>(YamlMappingNode parent, string key, Func<YamlMappingNode, T> read)
        {
            if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                Problem(parent, $"'{key}' is missing");
                return [];
            }

            if (node is not YamlSequenceNode sequence)
            {
                Problem(node, $"'{key}' must be a list");
                return [];
            }

            var items = new List<T>();
            foreach (var child in sequence.Children)
            {
                if (child is YamlMappingNode map)
                {
                    items.Add(read(map));
                }
                else
                {
                    Problem(child, $"each entry of '{key}' must be a mapping");
                }
            }

            return items;
        }

        private YamlMappingNode? Map(YamlMappingNode parent, string key)
        {
            if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode map)
            {
                return map;
            }

            Problem(node ?? parent, $"'{key}' must be a mapping");
            return null;
        }

        private string String(YamlMappingNode parent, string key)
        {
            if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { Length: > 0 } value })
            {
                return value;
            }

            Problem(node ?? parent, $"'{key}' is missing or empty");
            return string.Empty;
        }

        private int Int(YamlMappingNode parent, string key, int fallback) =>
            parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ParseInt(node, key) : Fail(parent, $"'{key}' is missing", fallback);

        private double Number(YamlMappingNode parent, string key) =>
            parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ParseNumber(node, key) : Fail(parent, $"'{key}' is missing", 0d);

        private List<double> Numbers(YamlMappingNode parent, string key)
        {
            if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode sequence)
            {
                return sequence.Children.Select(c => ParseNumber(c, key)).ToList();
            }

            Problem(node ?? parent, $"'{key}' must be a list of numbers");
            return [];
        }

        private List<Point> Points(YamlMappingNode parent, string key)
        {
            if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode sequence)
            {
                var points = new List<Point>();
                foreach (var child in sequence.Children)
                {
                    if (child is YamlSequenceNode pair && pair.Children.Count == 2)
                    {
                        points.Add(new Point(ParseNumber(pair.Children[0], key), ParseNumber(pair.Children[1], key)));
                    }
                    else
                    {
                        Problem(child, $"each point of '{key}' must be [x, y]");
                    }
                }

                return points;
            }

            Problem(node ?? parent, $"'{key}' must be a list of [x, y] points");
            return [];
        }

        private Rect Rectangle(YamlMappingNode parent, string key)
        {
            var points = Points(parent, key);
            if (points.Count != 2)
            {
                Problem(parent, $"'{key}' must be two corners [[x1, y1], [x2, y2]]");
                return default;
            }

            return new Rect(new Point(Math.Min(points[0].X, points[1].X), Math.Min(points[0].Y, points[1].Y)), new Point(Math.Max(points[0].X, points[1].X), Math.Max(points[0].Y, points[1].Y)));
        }

        private int ParseInt(YamlNode node, string what) =>
            int.TryParse(Text(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : Fail(node, $"{what} '{Text(node)}' is not a whole number", 0);

        private double ParseNumber(YamlNode node, string what) =>
            double.TryParse(Text(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : Fail(node, $"{what} '{Text(node)}' is not a number", 0d);

        private static string Text(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? string.Empty : string.Empty;

        private T Fail<T>(YamlNode node, string message, T fallback)
        {
            Problem(node, message);
            return fallback;
        }

        private void Problem(YamlNode node, string message) => Problems.Add(new LayoutProblem(file, (int)node.Start.Line, message));
    }
}
