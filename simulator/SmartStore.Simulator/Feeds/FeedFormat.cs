using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartStore.Simulator.Feeds;

/// <summary>
/// The first line of a feed file (format <c>smartstore-feed</c>, version 1): which store, which scenario and seed,
/// the store-time span and how many message lines follow. <paramref name="Layout"/> names the layout the feed was
/// generated on (a file in store-layouts/ or the path given); <paramref name="LayoutDefinition"/> is that file's
/// text, so a replay plays the feed on the very store it was made for, wherever the feed is copied and whatever
/// becomes of the file. Feeds written before it was recorded have none: a replay then reads the named file.
/// </summary>
public sealed record FeedHeader(string Format, int Version, string Store, string Layout, string Scenario, int Seed, long StartMs, long EndMs, int Messages, string? LayoutDefinition = null)
{
    public const string FormatName = "smartstore-feed";

    public const int CurrentVersion = 1;
}

/// <summary>
/// One message as it reached the store's network: when (<paramref name="At"/>, ms after the feed's start, after
/// network latency, jitter, duplication and reordering), on which topic, and the exact payload bytes the device
/// sent (a device message: device id, device timestamp, per-device sequence number, body).
/// </summary>
public sealed record FeedMessage(long At, string Topic, byte[] Payload);

/// <summary>A line of a feed file that could not be read.</summary>
public sealed record FeedProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>What to do with a line that cannot be read.</summary>
public enum BadLinePolicy
{
    /// <summary>Report it and go on with the next line.</summary>
    Skip,

    /// <summary>Stop reading: the whole feed is refused.</summary>
    Reject,
}

public sealed class InvalidFeedException(FeedProblem problem) : Exception(problem.ToString())
{
    public FeedProblem Problem { get; } = problem;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FeedHeader))]
internal sealed partial class FeedJson : JsonSerializerContext;

/// <summary>
/// Feed files: line-delimited JSON, a header line then one line per message,
/// <c>{"at":1234,"topic":"smartstore/…","payload":{…}}</c>. A name ending in <c>.gz</c> is gzip-compressed.
/// Writing is deterministic: the same messages give byte-identical files.
/// </summary>
public static class FeedFile
{
    public static async Task WriteAsync(string path, FeedHeader header, IReadOnlyList<FeedMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(messages);
        await using var file = File.Create(path);
        await using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        await WriteAsync(stream, header, messages, cancellationToken);
    }

    public static async Task WriteAsync(Stream stream, FeedHeader header, IReadOnlyList<FeedMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream(1 << 16);
        await using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, header, FeedJson.Default.FeedHeader);
        writer.Flush();
        buffer.WriteByte((byte)'\n');
        writer.Reset();
        foreach (var message in messages)
        {
            writer.WriteStartObject();
            writer.WriteNumber("at"u8, message.At);
            writer.WriteString("topic"u8, message.Topic);
            writer.WritePropertyName("payload"u8);
            writer.WriteRawValue(message.Payload, skipInputValidation: true);
            writer.WriteEndObject();
            writer.Flush();
            buffer.WriteByte((byte)'\n');
            writer.Reset();
            if (buffer.Length > (1 << 20))
            {
                await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
                buffer.SetLength(0);
            }
        }

        await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }

    /// <summary>Reads a feed: the header, then every readable message; unreadable lines go to <paramref name="problems"/> (or stop the read).</summary>
    public static async Task<(FeedHeader Header, List<FeedMessage> Messages)> ReadAsync(string path, BadLinePolicy policy, List<FeedProblem> problems, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!File.Exists(path))
        {
            throw new InvalidFeedException(new FeedProblem(path, 0, "no such file"));
        }

        await using var file = File.OpenRead(path);
        await using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var name = Path.GetFileName(path);
        var first = await reader.ReadLineAsync(cancellationToken);
        var header = ParseHeader(name, first);
        var messages = new List<FeedMessage>(Math.Max(0, Math.Min(header.Messages, 50_000_000)));
        var number = 1;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (TryParseLine(line, out var message, out var error))
            {
                messages.Add(message);
                continue;
            }

            var problem = new FeedProblem(name, number, error);
            if (policy == BadLinePolicy.Reject)
            {
                throw new InvalidFeedException(problem);
            }

            problems.Add(problem);
        }

        return (header, messages);
    }

    private static FeedHeader ParseHeader(string name, string? line)
    {
        FeedHeader? header;
        try
        {
            header = line is null ? null : JsonSerializer.Deserialize(line, FeedJson.Default.FeedHeader);
        }
        catch (JsonException exception)
        {
            throw new InvalidFeedException(new FeedProblem(name, 1, $"the header is not valid JSON: {exception.Message}"));
        }

        if (header is null || header.Format != FeedHeader.FormatName)
        {
            throw new InvalidFeedException(new FeedProblem(name, 1, $"not a feed: the first line must be a '{FeedHeader.FormatName}' header"));
        }

        if (header.Version != FeedHeader.CurrentVersion)
        {
            throw new InvalidFeedException(new FeedProblem(name, 1, $"feed format version {header.Version}; this simulator reads version {FeedHeader.CurrentVersion}"));
        }

        return header;
    }

    /// <summary>One message line: an object with a numeric <c>at</c>, a string <c>topic</c> and an object <c>payload</c>, nothing else.</summary>
    internal static bool TryParseLine(string line, out FeedMessage message, out string error)
    {
        message = null!;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "a message line must be a JSON object";
                return false;
            }

            if (!root.TryGetProperty("at", out var at) || !at.TryGetInt64(out var atMs) || atMs < 0)
            {
                error = "'at' (milliseconds since the feed's start) is missing or not a non-negative integer";
                return false;
            }

            if (!root.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String || topic.GetString() is not { Length: > 0 } topicText)
            {
                error = "'topic' is missing or not a string";
                return false;
            }

            if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                error = "'payload' is missing or not a JSON object";
                return false;
            }

            message = new FeedMessage(atMs, topicText, Encoding.UTF8.GetBytes(payload.GetRawText()));
            error = string.Empty;
            return true;
        }
        catch (JsonException exception)
        {
            error = $"not valid JSON: {exception.Message}";
            return false;
        }
    }
}
