using System.Globalization;

namespace SmartStore.Node.Configuration;

/// <summary>A configuration problem, with its file and line.</summary>
public sealed class ConfigurationException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}

/// <summary>
/// Reads the subset of HOCON that <c>cluster.hocon</c> uses: nested objects (<c>a { b = 1 }</c>), dotted keys
/// (<c>a.b = 1</c>), <c>=</c> or <c>:</c>, quoted and unquoted strings, numbers, booleans, durations
/// (<c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>7d</c>), and <c>#</c> or <c>//</c> comments. Later keys override
/// earlier ones, as in HOCON. Anything else is an error naming the line, never silently ignored.
/// </summary>
public sealed class HoconReader
{
    private readonly Dictionary<string, (string Value, int Line)> _values;
    private readonly string _file;

    private HoconReader(string file, Dictionary<string, (string, int)> values)
    {
        _file = file;
        _values = values;
    }

    public IReadOnlyCollection<string> Keys => _values.Keys;

    public static HoconReader Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        var scopes = new Stack<string>();
        var opened = new Stack<int>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            var line = StripComment(lines[index]).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line == "}")
            {
                if (scopes.Count == 0)
                {
                    throw new ConfigurationException(file, lineNumber, "'}' closes nothing");
                }

                scopes.Pop();
                opened.Pop();
                continue;
            }

            if (line.EndsWith('{'))
            {
                var name = line[..^1].Trim();
                CheckKey(name, file, lineNumber);
                scopes.Push(Qualify(scopes, name));
                opened.Push(lineNumber);
                continue;
            }

            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                throw new ConfigurationException(file, lineNumber, $"expected 'key = value', 'key {{' or '}}', got '{line}'");
            }

            var key = line[..separator].Trim();
            CheckKey(key, file, lineNumber);
            var value = line[(separator + 1)..].Trim();
            if (value.Length == 0)
            {
                throw new ConfigurationException(file, lineNumber, $"'{key}' has no value");
            }

            if (value.StartsWith('"'))
            {
                if (value.Length < 2 || !value.EndsWith('"'))
                {
                    throw new ConfigurationException(file, lineNumber, $"unterminated string for '{key}'");
                }

                value = value[1..^1];
            }

            values[Qualify(scopes, key)] = (value, lineNumber);
        }

        if (scopes.Count > 0)
        {
            throw new ConfigurationException(file, opened.Peek(), $"'{scopes.Peek()} {{' is never closed");
        }

        return new HoconReader(file, values);
    }

    public string File => _file;

    public string GetString(string path, string fallback) => _values.TryGetValue(path, out var v) ? v.Value : fallback;

    /// <summary>The value, or null when the key is absent.</summary>
    public string? GetOptionalString(string path) => _values.TryGetValue(path, out var v) ? v.Value : null;

    /// <summary>The line a key was set on (0 when it is absent), for errors found after reading.</summary>
    public int LineOf(string path) => _values.TryGetValue(path, out var v) ? v.Line : 0;

    /// <summary>One of a fixed set of words; anything else is an error that lists them.</summary>
    public string GetChoice(string path, string fallback, params string[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (!_values.TryGetValue(path, out var v))
        {
            return fallback;
        }

        return choices.Contains(v.Value, StringComparer.Ordinal)
            ? v.Value
            : throw new ConfigurationException(_file, v.Line, $"'{path}' must be one of {string.Join(", ", choices)}, got '{v.Value}'");
    }

    public int GetInt(string path, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!_values.TryGetValue(path, out var v))
        {
            return fallback;
        }

        if (!int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ConfigurationException(_file, v.Line, $"'{path}' must be a whole number between {min} and {max}, got '{v.Value}'");
        }

        return number;
    }

    public TimeSpan GetDuration(string path, TimeSpan fallback)
    {
        if (!_values.TryGetValue(path, out var v))
        {
            return fallback;
        }

        return ParseDuration(v.Value) ?? throw new ConfigurationException(_file, v.Line, $"'{path}' must be a duration such as 500ms, 5s, 2m, 1h or 7d, got '{v.Value}'");
    }

    /// <summary>A duration as the configuration writes it (<c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>7d</c>); null otherwise.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var units = new (string Suffix, double Milliseconds)[] { ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000) };
        foreach (var (suffix, milliseconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && amount >= 0)
            {
                return TimeSpan.FromMilliseconds(amount * milliseconds);
            }
        }

        return null;
    }

    private static string Qualify(Stack<string> scopes, string key) => scopes.Count == 0 ? key : $"{scopes.Peek()}.{key}";

    private static void CheckKey(string key, string file, int line)
    {
        if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ConfigurationException(file, line, $"'{key}' is not a valid key (letters, digits, '-', '_' and '.')");
        }
    }

    private static string StripComment(string line)
    {
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inString = !inString;
            }
            else if (!inString && (line[i] == '#' || (line[i] == '/' && i + 1 < line.Length && line[i + 1] == '/')))
            {
                return line[..i];
            }
        }

        return line;
    }
}
