using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;

namespace SmartStore.Node.Tests;

/// <summary>Devices publishing to a real broker, as the node's MQTT tests drive them.</summary>
internal static class DevicePublishing
{
    /// <summary>The small store's messages as devices send them: each on its topic, as its JSON.</summary>
    public static IEnumerable<(string Topic, byte[] Payload)> AsSent(IEnumerable<DeviceMessage> messages) =>
        messages.Select(m => (DeviceMessageWriter.TopicOf(StoreHarness.Small.StoreId, m), DeviceMessageWriter.ToJson(m)));

    /// <summary>Publishes at QoS 1, at most <paramref name="inFlight"/> unacknowledged by the broker.</summary>
    public static async Task PublishAllAsync(this MqttSession devices, IEnumerable<(string Topic, byte[] Payload)> messages, int inFlight = 256)
    {
        var pending = new Queue<Task>();
        foreach (var (topic, payload) in messages)
        {
            if (pending.Count >= inFlight)
            {
                await pending.Dequeue();
            }

            pending.Enqueue(devices.PublishAsync(topic, payload));
        }

        await Task.WhenAll(pending);
    }
}
