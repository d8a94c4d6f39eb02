using System.Text.Json;

namespace SmartStore.Messaging.Protocol;

/// <summary>Why an inbound message was refused.</summary>
public enum RejectionReason
{
    Oversized,
    MalformedJson,
    UnsupportedVersion,
    MissingField,
    DeviceMismatch,
    UnknownEvent,
    ImpossibleValue,
    UnknownTopic,
    UnknownDevice,

    /// <summary>A gate frame whose framing or image is not what the contract says (see <see cref="GateFrameCodec"/>).</summary>
    MalformedFrame,

    /// <summary>A gate frame that came while the gate's camera already had its fill of frames waiting to be analysed.</summary>
    Overloaded,

    /// <summary>A camera placed a body or a hand beyond the store's floor (more than <see cref="FloorBounds.MarginMetres"/> outside it).</summary>
    OutsideFloor,

    /// <summary>A device time (<c>ts</c>) no clock can show: before 1970 or past what a date can hold.</summary>
    BadTimestamp,
}

/// <summary>
/// The store's floor as the parser checks camera positions against it: x from 0 to <see cref="Width"/>, y from 0
/// to <see cref="Depth"/>, metres, as the layout gives them.
/// </summary>
public sealed record FloorBounds(double Width, double Depth)
{
    /// <summary>
    /// How far outside the floor a position still counts: a ceiling camera's calibration is least sure at the
    /// floor's edge, a person is tracked in the doorway a step before the gate line, and a hand reaches into a
    /// shelf against the wall. A metre covers all three; a track several metres out is a calibration or
    /// firmware fault, and fusing it would put a shopper at shelves they never reached.
    /// </summary>
    public const double MarginMetres = 1;

    public bool Holds(double x, double y) => x >= -MarginMetres && x <= Width + MarginMetres && y >= -MarginMetres && y <= Depth + MarginMetres;
}

/// <summary>The parser's answer: a message, or a reason and a plain explanation.</summary>
public sealed record ParseOutcome(DeviceMessage? Message, RejectionReason? Reason, string? Detail)
{
    public bool Accepted => Message is not null;

    public static ParseOutcome Accept(DeviceMessage message) => new(message, null, null);

    public static ParseOutcome Reject(RejectionReason reason, string detail) => new(null, reason, detail);
}

/// <summary>Counts rejections per reason; safe to update from any thread, cheap to read for health pages.</summary>
public sealed class RejectionCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<RejectionReason>().Length];

    public void Count(RejectionReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    public long this[RejectionReason reason] => Interlocked.Read(ref _counts[(int)reason]);

    public long Total => Enumerable.Range(0, _counts.Length).Sum(i => Interlocked.Read(ref _counts[i]));

    public IReadOnlyDictionary<RejectionReason, long> Snapshot() => Enum.GetValues<RejectionReason>().ToDictionary(r => r, r => this[r]);
}

/// <summary>
/// Turns one MQTT payload into a device message, or a counted rejection. It never throws for bad input:
/// size, JSON, schema version, required fields, the device named by the topic, and values a real device cannot
/// produce are all checked, in that order. Given the store's floor, camera positions must lie on it.
/// </summary>
public sealed class DeviceMessageParser(RejectionCounters counters, FloorBounds? floor = null)
{
    public const int SchemaVersion = 1;

    /// <summary>Camera observations of version 2 may give the hand's height: <c>hand: [x, y, z]</c>. Version 1 is still read.</summary>
    public const int CameraSchemaVersion = 2;

    public const int MaxPayloadBytes = 16 * 1024;

    /// <summary>
    /// The lowest reading a bin's load cell can give. It reports the bin's gross load (its tray included), which
    /// is never below zero; a cell zeroed with an empty tray reads around zero within its noise (about 1.5 g at one
    /// standard deviation), so a couple of standard deviations under zero is still a reading and anything lower
    /// is a fault (a miswired or badly zeroed cell).
    /// </summary>
    public const double MinGrams = -3;

    public const double MaxGrams = 200_000;

    /// <summary>The newest device time a date can hold (9999-12-31T23:59:59.999Z): beyond it, turning <c>ts</c> into a time throws.</summary>
    public static readonly long MaxTimestampMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public RejectionCounters Counters { get; } = counters;

    public ParseOutcome Parse(DeviceKind kind, string device, ReadOnlySpan<byte> payload)
    {
        var outcome = ParseUncounted(kind, device, payload);
        if (outcome.Reason is { } reason)
        {
            Counters.Count(reason);
        }

        return outcome;
    }

    /// <summary>
    /// The sequence number and device time every message carries: a zero is a field left out (JSON's default), a
    /// negative sequence number or a time no clock shows is the device's fault, named as such.
    /// </summary>
    internal static ParseOutcome? CheckSequenceAndTime(long seq, long ts) => (seq, ts) switch
    {
        (0, _) => ParseOutcome.Reject(RejectionReason.MissingField, "'seq' is missing"),
        (< 0, _) => ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"'seq' {seq} must be positive"),
        (_, 0) => ParseOutcome.Reject(RejectionReason.MissingField, "'ts' is missing"),
        (_, < 0) => ParseOutcome.Reject(RejectionReason.BadTimestamp, $"'ts' {ts} is before 1970 (Unix milliseconds are positive)"),
        _ when ts > MaxTimestampMs => ParseOutcome.Reject(RejectionReason.BadTimestamp, $"'ts' {ts} is past the year 9999"),
        _ => null,
    };

    private ParseOutcome ParseUncounted(DeviceKind kind, string device, ReadOnlySpan<byte> payload)
    {
        if (kind == DeviceKind.GateCamera)
        {
            return GateFrameCodec.Parse(device, payload);
        }

        if (payload.Length > MaxPayloadBytes)
        {
            return ParseOutcome.Reject(RejectionReason.Oversized, $"{payload.Length} bytes; at most {MaxPayloadBytes}");
        }

        DeviceMessage? message;
        try
        {
            message = kind switch
            {
                DeviceKind.Gate => JsonSerializer.Deserialize(payload, ProtocolJson.Default.GateEvent),
                DeviceKind.Shelf => JsonSerializer.Deserialize(payload, ProtocolJson.Default.WeightReport),
                DeviceKind.Camera => JsonSerializer.Deserialize(payload, ProtocolJson.Default.CameraObservation),
                _ => null,
            };
        }
        catch (JsonException exception)
        {
            return ParseOutcome.Reject(RejectionReason.MalformedJson, exception.Message);
        }

        if (message is null)
        {
            return ParseOutcome.Reject(RejectionReason.MalformedJson, "the payload is not a JSON object");
        }

        if (message is CameraObservation ? message.V is < SchemaVersion or > CameraSchemaVersion : message.V != SchemaVersion)
        {
            var reads = message is CameraObservation ? $"{SchemaVersion} and {CameraSchemaVersion}" : $"{SchemaVersion}";
            return ParseOutcome.Reject(RejectionReason.UnsupportedVersion, $"schema version {message.V}; this node reads {reads}");
        }

        if (string.IsNullOrEmpty(message.Device))
        {
            return ParseOutcome.Reject(RejectionReason.MissingField, "'device' is missing");
        }

        if (message.Device != device)
        {
            return ParseOutcome.Reject(RejectionReason.DeviceMismatch, $"message from '{message.Device}' on the topic of '{device}'");
        }

        if (CheckSequenceAndTime(message.Seq, message.Ts) is { } refused)
        {
            return refused;
        }

        return message switch
        {
            GateEvent gate => CheckGate(gate),
            WeightReport weight => CheckWeight(weight),
            CameraObservation seen => CheckCamera(seen),
            _ => ParseOutcome.Reject(RejectionReason.MalformedJson, "unknown message type"),
        };
    }

    private static ParseOutcome CheckGate(GateEvent gate) => gate.Event switch
    {
        null => ParseOutcome.Reject(RejectionReason.MissingField, "'event' is missing"),
        "identified" when string.IsNullOrEmpty(gate.Shopper) || gate.Confidence is null => ParseOutcome.Reject(RejectionReason.MissingField, "'identified' needs 'shopper' and 'confidence'"),
        "identified" when gate.Confidence is < 0 or > 1 or double.NaN => ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"confidence {gate.Confidence} is outside 0..1"),
        "token" when string.IsNullOrEmpty(gate.Token) => ParseOutcome.Reject(RejectionReason.MissingField, "'token' needs 'token'"),
        "crossed" when string.IsNullOrEmpty(gate.Track) || gate.Inward is null => ParseOutcome.Reject(RejectionReason.MissingField, "'crossed' needs 'track' and 'inward'"),
        "identified" or "token" or "crossed" when gate.Party is < 1 or > 10 => ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"party of {gate.Party}; 1..10 people"),
        "identified" or "token" or "crossed" => ParseOutcome.Accept(gate),
        _ => ParseOutcome.Reject(RejectionReason.UnknownEvent, $"gate event '{gate.Event}' (identified, token or crossed)"),
    };

    private static ParseOutcome CheckWeight(WeightReport weight)
    {
        if (string.IsNullOrEmpty(weight.Bin))
        {
            return ParseOutcome.Reject(RejectionReason.MissingField, "'bin' is missing");
        }

        return double.IsFinite(weight.Grams) && weight.Grams is >= MinGrams and <= MaxGrams
            ? ParseOutcome.Accept(weight)
            : ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"{weight.Grams} g: a load cell reads {MinGrams}..{MaxGrams} g (a bin's gross load)");
    }

    private ParseOutcome CheckCamera(CameraObservation seen)
    {
        if (string.IsNullOrEmpty(seen.Track) || seen.Body is null)
        {
            return ParseOutcome.Reject(RejectionReason.MissingField, "'track' and 'body' are required");
        }

        static bool IsPoint(double[]? p) => p is [var x, var y] && double.IsFinite(x) && double.IsFinite(y) && Math.Abs(x) < 10_000 && Math.Abs(y) < 10_000;
        if (!IsPoint(seen.Body))
        {
            return ParseOutcome.Reject(RejectionReason.ImpossibleValue, "'body' must be [x, y] in metres");
        }

        switch (seen.Hand)
        {
            case null:
                break;
            case [var x, var y, var z] when seen.V >= 2:
                if (!IsPoint([x, y]) || !double.IsFinite(z) || z < 0 || z > 5)
                {
                    return ParseOutcome.Reject(RejectionReason.ImpossibleValue, "'hand' must be [x, y, z] in metres, z (height above the floor) 0..5");
                }

                break;
            case var hand when !IsPoint(hand):
                return ParseOutcome.Reject(RejectionReason.ImpossibleValue, seen.V >= 2 ? "'hand' must be [x, y] or [x, y, z] in metres" : "'hand' must be [x, y] in metres (version 1 has no height; send version 2 for [x, y, z])");
        }

        // Plausible numbers, but is it on this store's floor? Checked last, so a malformed position is named as such.
        if (floor is not null && !floor.Holds(seen.Body[0], seen.Body[1]))
        {
            return ParseOutcome.Reject(RejectionReason.OutsideFloor, $"body at [{seen.Body[0]}, {seen.Body[1]}] is off the {floor.Width} × {floor.Depth} m floor");
        }

        if (floor is not null && seen.Hand is [var hx, var hy, ..] && !floor.Holds(hx, hy))
        {
            return ParseOutcome.Reject(RejectionReason.OutsideFloor, $"hand at [{hx}, {hy}] is off the {floor.Width} × {floor.Depth} m floor");
        }

        return ParseOutcome.Accept(seen);
    }
}
