using System.Buffers.Binary;
using System.Text.Json;

namespace SmartStore.Messaging.Protocol;

/// <summary>The JSON header of a gate frame: the fields every device message carries, and the group entry's size.</summary>
public sealed record GateFrameHeader(int V, string Device, long Seq, long Ts, int? Party);

/// <summary>
/// The binary framing of a gate camera's frame, one MQTT message each:
/// <code>
/// bytes 0..3   "SSGF" (ASCII magic)
/// bytes 4..5   header length H, unsigned big-endian, 2..1024
/// next H bytes the header, UTF-8 JSON: {"v":1,"device":"gate-in","seq":17,"ts":1733100000000,"party":2}
/// the rest     the image, JPEG (or PNG), at most <see cref="MaxImageBytes"/>
/// </code>
/// A header in JSON keeps the device contract one vocabulary (the same v/device/seq/ts as the JSON topics, the
/// same schema checks); the image follows raw, so a 60 kB frame is not inflated by base64. Not MQTT 5 user
/// properties: the fields must survive any broker and any client library, and the frame must be self-contained
/// when recorded to a feed file.
/// </summary>
public static class GateFrameCodec
{
    public const int SchemaVersion = 1;
    public const int MaxHeaderBytes = 1024;
    public const int MaxImageBytes = 2 * 1024 * 1024;
    private static ReadOnlySpan<byte> Magic => "SSGF"u8;

    public static byte[] Write(GateFrameHeader header, ReadOnlySpan<byte> image)
    {
        ArgumentNullException.ThrowIfNull(header);
        var json = JsonSerializer.SerializeToUtf8Bytes(header, ProtocolJson.Default.GateFrameHeader);
        var frame = new byte[Magic.Length + 2 + json.Length + image.Length];
        Magic.CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), checked((ushort)json.Length));
        json.CopyTo(frame.AsSpan(6));
        image.CopyTo(frame.AsSpan(6 + json.Length));
        return frame;
    }

    /// <summary>A frame, or the specific reason it is refused; never throws for bad input.</summary>
    public static ParseOutcome Parse(string device, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 6 || !payload[..4].SequenceEqual(Magic))
        {
            return ParseOutcome.Reject(RejectionReason.MalformedFrame, "a gate frame starts with \"SSGF\" and a 2-byte header length");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(payload[4..]);
        if (length < 2 || length > MaxHeaderBytes || 6 + length > payload.Length)
        {
            return ParseOutcome.Reject(RejectionReason.MalformedFrame, $"header length {length} does not fit a {payload.Length}-byte frame (2..{MaxHeaderBytes})");
        }

        GateFrameHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(payload.Slice(6, length), ProtocolJson.Default.GateFrameHeader);
        }
        catch (JsonException exception)
        {
            return ParseOutcome.Reject(RejectionReason.MalformedJson, $"frame header: {exception.Message}");
        }

        var image = payload[(6 + length)..];
        return header switch
        {
            null => ParseOutcome.Reject(RejectionReason.MalformedJson, "the frame header is not a JSON object"),
            { V: not SchemaVersion } => ParseOutcome.Reject(RejectionReason.UnsupportedVersion, $"frame schema version {header.V}; this node reads {SchemaVersion}"),
            { Device: null or "" } => ParseOutcome.Reject(RejectionReason.MissingField, "'device' is missing"),
            _ when header.Device != device => ParseOutcome.Reject(RejectionReason.DeviceMismatch, $"frame from '{header.Device}' on the topic of '{device}'"),
            _ when DeviceMessageParser.CheckSequenceAndTime(header.Seq, header.Ts) is { } refused => refused,
            { Party: < 1 or > 10 } => ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"party of {header.Party}; 1..10 people"),
            _ when image.Length == 0 => ParseOutcome.Reject(RejectionReason.MalformedFrame, "the frame has no image"),
            _ when image.Length > MaxImageBytes => ParseOutcome.Reject(RejectionReason.Oversized, $"a {image.Length}-byte image; at most {MaxImageBytes}"),
            _ => ParseOutcome.Accept(new GateFrame(header.V, header.Device, header.Seq, header.Ts, header.Party, image.ToArray())),
        };
    }
}
