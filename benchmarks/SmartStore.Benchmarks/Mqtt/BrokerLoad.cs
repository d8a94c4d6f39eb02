using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Messaging.Transport;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Mqtt;

/// <summary>
/// The embedded broker beside Mosquitto (issue 16): one MQTTnet session publishes N QoS 1 messages
/// (at most 1,000 unacknowledged) to another's persistent session on each broker in turn, in one process, and
/// the clock stops when the subscriber has every one of them. The subscriber handles each at once, so the row
/// is the broker's and the clients' ceiling, not the node's.
/// </summary>
internal static class BrokerLoad
{
    /// <param name="args">The messages per broker (100,000) and the rounds (2; each runs both brokers, the embedded one first).</param>
    public static async Task RunAsync(string[] args)
    {
        var count = BenchArguments.Int(args, 0, "the messages", 100_000, 1_000, 10_000_000);
        var rounds = BenchArguments.Int(args, 1, "the rounds", 2, 1, 10);
        var payload = Encoding.UTF8.GetBytes("{\"v\":1,\"device\":\"shelf-01\",\"seq\":42,\"ts\":1767254400000,\"bin\":\"shelf-01-l1b1\",\"grams\":1012.5}");
        Console.WriteLine($"{count:N0} QoS 1 messages of {payload.Length} bytes per broker and round; MQTTnet {MqttSession.LibraryVersion}");
        Console.WriteLine("| round | broker | messages/s | wall time | dropped |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: |");
        for (var round = 1; round <= rounds; round++)
        {
            await using (var embedded = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Port = 0 }, NullLogger.Instance))
            {
                var seconds = await ThroughAsync(embedded.Host, embedded.Port, count, payload);
                Console.WriteLine($"| {round} | embedded MQTTnet.Server 5.2 | {count / seconds:N0} | {seconds:0.00} s | {embedded.Overflowed} |");
            }

            await using (var mosquitto = await MosquittoServer.StartAsync())
            {
                var seconds = await ThroughAsync(mosquitto.Host, mosquitto.Port, count, payload);
                Console.WriteLine($"| {round} | Mosquitto (persistence on, max_inflight_messages 1000) | {count / seconds:N0} | {seconds:0.00} s | — |");
            }

            // Mosquitto's default window: it is also the receive maximum it grants publishers.
            await using (var mosquitto = await MosquittoServer.StartAsync(maxInflightMessages: 20))
            {
                var seconds = await ThroughAsync(mosquitto.Host, mosquitto.Port, count, payload);
                Console.WriteLine($"| {round} | Mosquitto (persistence on, max_inflight_messages 20, its default) | {count / seconds:N0} | {seconds:0.00} s | — |");
            }
        }
    }

    private static async Task<double> ThroughAsync(string host, int port, int count, byte[] payload)
    {
        var options = new MqttSessionOptions { Host = host, Port = port, ClientId = "bench-sub" };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("bench/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(options with { ClientId = "bench-pub", CleanSession = true });
        await publisher.ConnectAsync();

        var clock = Stopwatch.StartNew();
        var receiving = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                subscriber.Handled(await subscriber.Inbox.ReadAsync());
            }
        });
        var pending = new Queue<Task>();
        for (var i = 0; i < count; i++)
        {
            if (pending.Count >= 1_000)
            {
                await pending.Dequeue();
            }

            pending.Enqueue(publisher.PublishAsync(string.Create(CultureInfo.InvariantCulture, $"bench/shelf/{i % 16}/weight"), payload));
        }

        await Task.WhenAll(pending);
        await receiving;
        return clock.Elapsed.TotalSeconds;
    }
}
