using System.Text;
using SmartStore.Messaging.Mqtt;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Messaging.Tests;

/// <summary>The libmosquitto binding against a real Mosquitto: QoS 1 both ways, persistent sessions, a broker restart, back-pressure.</summary>
public sealed class MqttClientTests : IAsyncLifetime
{
    private MosquittoServer _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private MqttOptions Options(string clientId, bool clean = false, int protocol = 5, int inbox = 8_192) =>
        new() { Host = _broker.Host, Port = _broker.Port, ClientId = clientId, CleanSession = clean, ProtocolVersion = protocol, InboxCapacity = inbox };

    private static async Task<List<string>> TakeAsync(MqttClient client, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<string>();
        while (received.Count < count)
        {
            var message = await client.Inbox.ReadAsync(timeout.Token);
            received.Add(Encoding.UTF8.GetString(message.Payload));
            client.Handled();
        }

        return received;
    }

    private static async Task PublishAsync(MqttClient publisher, string topic, IEnumerable<int> numbers) =>
        await Task.WhenAll(numbers.Select(n => publisher.PublishAsync(topic, Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task QoS1_messages_make_the_round_trip_in_order(int protocol)
    {
        await using var subscriber = new MqttClient(Options($"sub-{protocol}", protocol: protocol));
        subscriber.Subscribe("smartstore/test/+/events");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttClient(Options($"pub-{protocol}", clean: true, protocol: protocol));
        await publisher.ConnectAsync();

        await PublishAsync(publisher, "smartstore/test/gate-1/events", Enumerable.Range(1, 2_000));
        var received = await TakeAsync(subscriber, 2_000);

        Assert.Equal(Enumerable.Range(1, 2_000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), received);
        Assert.Matches(@"^2\.\d+\.\d+$", MqttClient.NativeVersion);
    }

    [Fact]
    public async Task A_persistent_session_keeps_what_was_published_while_the_subscriber_was_away_even_across_a_broker_restart()
    {
        await using (var first = new MqttClient(Options("node-session")))
        {
            first.Subscribe("smartstore/test/#");
            await first.ConnectAsync();
        }

        await using (var publisher = new MqttClient(Options("devices", clean: true)))
        {
            await publisher.ConnectAsync();
            await PublishAsync(publisher, "smartstore/test/shelf/weight", Enumerable.Range(1, 300));
        }

        await _broker.RestartAsync();

        await using var again = new MqttClient(Options("node-session"));
        again.Subscribe("smartstore/test/#");
        await again.ConnectAsync();
        var received = await TakeAsync(again, 300);

        Assert.Equal(300, received.Distinct().Count());
    }

    [Fact]
    public async Task A_client_reconnects_and_resubscribes_by_itself_after_the_broker_restarts()
    {
        var options = Options("node-reconnect") with { ReconnectDelay = TimeSpan.FromSeconds(1), ReconnectDelayMax = TimeSpan.FromSeconds(1) };
        await using var subscriber = new MqttClient(options);
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();

        await _broker.RestartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (subscriber.Connects < 2)
        {
            await Task.Delay(50, timeout.Token);
        }

        await using var publisher = new MqttClient(Options("devices-2", clean: true));
        await publisher.ConnectAsync();
        await PublishAsync(publisher, "smartstore/test/camera/observations", [7]);

        Assert.Equal(["7"], await TakeAsync(subscriber, 1));
    }

    [Fact]
    public async Task A_full_inbox_stops_the_network_thread_instead_of_growing_and_nothing_is_lost()
    {
        await using var subscriber = new MqttClient(Options("node-slow", inbox: 10));
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttClient(Options("devices-3", clean: true));
        await publisher.ConnectAsync();

        await PublishAsync(publisher, "smartstore/test/x", Enumerable.Range(1, 500));
        await Task.Delay(300);
        var heldBack = subscriber.Received;
        var received = await TakeAsync(subscriber, 500);

        Assert.True(heldBack <= 11, $"the client took {heldBack} messages into a 10-message inbox");
        Assert.Equal(500, received.Count);
    }

    [Fact]
    public async Task A_broker_that_is_not_there_is_named_in_the_error()
    {
        var options = new MqttOptions { Host = "127.0.0.1", Port = 1, ClientId = "nobody", ConnectTimeout = TimeSpan.FromSeconds(2) };
        await using var client = new MqttClient(options);

        var error = await Assert.ThrowsAsync<MqttException>(() => client.ConnectAsync());

        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
