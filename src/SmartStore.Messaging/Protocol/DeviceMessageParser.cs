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
/// produce are all checked, in that order.
/// </summary>
public sealed class DeviceMessageParser(RejectionCounters counters)
{
    public const int SchemaVersion = 1;

    /// <summary>Camera observations of version 2 may give the hand's height: <c>hand: [x, y, z]</c>. Version 1 is still read.</summary>
    public const int CameraSchemaVersion = 2;

    public const int MaxPayloadBytes = 16 * 1024;

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

    private static ParseOutcome ParseUncounted(DeviceKind kind, string device, ReadOnlySpan<byte> payload)
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

        if (message.Seq <= 0 || message.Ts <= 0)
        {
            return ParseOutcome.Reject(RejectionReason.MissingField, "'seq' and 'ts' must be positive");
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

        return double.IsFinite(weight.Grams) && Math.Abs(weight.Grams) <= 200_000
            ? ParseOutcome.Accept(weight)
            : ParseOutcome.Reject(RejectionReason.ImpossibleValue, $"{weight.Grams} g is beyond any shelf sensor");
    }

    private static ParseOutcome CheckCamera(CameraObservation seen)
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

        return ParseOutcome.Accept(seen);
    }
}
