using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Feeds;

/// <summary>How a replay went: deliveries by outcome.</summary>
public sealed record ReplayResult(long Sent, long Accepted, long Duplicates, long Late, long Rejected);

/// <summary>How fast a replay may run ahead of the node.</summary>
public sealed record ReplayPacing
{
    /// <summary>At most this many messages await their acknowledgement at once.</summary>
    public int MaxInFlight { get; init; } = 1_024;

    /// <summary>
    /// A message is sent only when every unacknowledged one is at most this much older (device time). Devices
    /// in a store send in real time, so the node sees at most network delay between them; a replay faster than
    /// real time must not reorder the store's devices by more than the node's lateness bound either. Half of
    /// the default lateness.
    /// </summary>
    public long MaxSkewMs { get; init; } = 1_000;
}

/// <summary>
/// Sends a feed as fast as the node takes it: messages go out in feed order (so each device's order is kept),
/// and many await their acknowledgement at once, which is what lets the floor write large batches, but never
/// more than <see cref="ReplayPacing.MaxSkewMs"/> of device time apart (a slow entry decision at a gate holds
/// the replay back exactly as the person waiting at the gate would hold back what happens next).
/// </summary>
public static class FeedReplay
{
    public static async Task<ReplayResult> SendAsync(
        InProcessTransport transport,
        string storeId,
        IEnumerable<DeviceMessage> messages,
        ReplayPacing? pacing = null,
        Action<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(messages);
        pacing ??= new ReplayPacing();
        var counts = new long[Enum.GetValues<Delivery>().Length];
        var inFlight = new Queue<(long Ts, ValueTask<Delivery> Delivery)>();
        long sent = 0;
        foreach (var message in messages)
        {
            while (inFlight.Count > 0 && (inFlight.Count >= pacing.MaxInFlight || inFlight.Peek().Ts < message.Ts - pacing.MaxSkewMs))
            {
                counts[(int)await inFlight.Dequeue().Delivery]++;
            }

            var delivery = transport.SendAsync(DeviceMessageWriter.TopicOf(storeId, message), DeviceMessageWriter.ToJson(message), cancellationToken);
            if (delivery.IsCompletedSuccessfully)
            {
                // Already done (a duplicate, a rejection, a reading that changed nothing): no need to queue it.
                counts[(int)await delivery]++;
            }
            else
            {
                inFlight.Enqueue((message.Ts, delivery));
            }

            if (progress is not null && (++sent & 1023) == 0)
            {
                progress(sent);
            }
            else if (progress is null)
            {
                sent++;
            }
        }

        while (inFlight.Count > 0)
        {
            counts[(int)await inFlight.Dequeue().Delivery]++;
        }

        progress?.Invoke(sent);
        return new ReplayResult(sent, counts[(int)Delivery.Accepted], counts[(int)Delivery.Duplicate], counts[(int)Delivery.Late], counts[(int)Delivery.Rejected]);
    }
}
