using System.Globalization;
using System.Text;
using SmartStore.Messaging.Transport;

namespace SmartStore.Messaging.Tests;

/// <summary>Messages whose payload is their number, so a test can tell which arrived, which twice and which not.</summary>
internal static class NumberedMessages
{
    public static async Task PublishAsync(MqttSession publisher, string topic, IEnumerable<int> numbers) =>
        await Task.WhenAll(numbers.Select(n => publisher.PublishAsync(topic, Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)))));

    /// <summary>The next <paramref name="count"/> payloads, each marked handled once read; fails after <paramref name="patience"/>.</summary>
    public static async Task<List<string>> TakeAsync(MqttSession client, int count, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        var received = new List<string>(count);
        while (received.Count < count)
        {
            var message = await client.Inbox.ReadAsync(timeout.Token);
            received.Add(Encoding.UTF8.GetString(message.Payload));
            client.Handled(message);
        }

        return received;
    }
}
