using System.Diagnostics;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Simulator.Generation;

namespace SmartStore.Simulator.Replay;

/// <summary>
/// An entry gate's face camera on the in-process transport: numbers its frames (its own sequence), keeps its
/// device clock, publishes a walk-up's frames 200 ms apart and waits for the gate's answer to them. The
/// transport is the caller's, so a node restarted on a new transport keeps the same camera and clock.
/// </summary>
internal sealed class GateCamera(string store, string gate)
{
    public const long FrameIntervalMs = 200;

    public long Seq { get; private set; }

    public long Clock { get; private set; } = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public string Topic { get; } = Topics.For(store, DeviceKind.GateCamera, gate);

    /// <summary>The next frame's header, <paramref name="offsetMs"/> after the camera's clock (the clock does not move).</summary>
    public GateFrameHeader NextHeader(long offsetMs = 0) => new(GateFrameCodec.SchemaVersion, gate, ++Seq, Clock + offsetMs, null);

    /// <summary>
    /// <paramref name="afterMs"/> of device time after the last walk-up, sends the frames and returns the gate's
    /// answer and how long it took from the last frame delivered. Answers to frames sent before this walk-up
    /// (a flood still being analysed) are skipped.
    /// </summary>
    public async Task<(GateCommand Answer, TimeSpan Latency)> WalkUpAsync(InProcessTransport transport, IReadOnlyList<byte[]> frames, int? party, long afterMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(frames);
        Clock += afterMs;
        var started = Clock;
        var published = GateCameraFrames.Publish(gate, Seq + 1, Clock, FrameIntervalMs, frames, party);
        Seq += frames.Count;
        Clock += frames.Count * FrameIntervalMs;
        long lastSent = 0;
        foreach (var frame in published)
        {
            lastSent = Stopwatch.GetTimestamp();
            await transport.SendAsync(Topic, frame, cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        GateCommand answer;
        do
        {
            answer = GateCommand.FromJson((await transport.Commands.ReadAsync(timeout.Token)).Payload.Span)!;
        }
        while (answer.Ts < started);

        return (answer, Stopwatch.GetElapsedTime(lastSent));
    }
}
