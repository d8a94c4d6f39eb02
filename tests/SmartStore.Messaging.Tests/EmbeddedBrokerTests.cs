using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Messaging.Transport;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Messaging.Tests;

/// <summary>
/// The embedded MQTTnet broker with the clients real devices and the node use: the node's MQTTnet session
/// and the mosquitto command-line tools.
/// </summary>
public sealed class EmbeddedBrokerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Task<EmbeddedBroker> StartAsync(EmbeddedBrokerOptions? options = null) =>
        EmbeddedBroker.StartAsync(options ?? new EmbeddedBrokerOptions { Port = 0 }, NullLogger.Instance);

    private static MqttSessionOptions Client(EmbeddedBroker broker, string clientId, bool clean = false, int protocol = 5) =>
        broker.ClientOptions(new MqttSessionOptions { ClientId = clientId, CleanSession = clean, ProtocolVersion = protocol });

    private static Task<List<string>> TakeAsync(MqttSession client, int count) => NumberedMessages.TakeAsync(client, count, Patience);

    private static Task PublishAsync(MqttSession publisher, string topic, IEnumerable<int> numbers) => NumberedMessages.PublishAsync(publisher, topic, numbers);

    private static IEnumerable<string> Numbers(int from, int count) => Enumerable.Range(from, count).Select(n => n.ToString(CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task A_persistent_session_keeps_every_QoS1_message_published_while_its_subscriber_was_away_far_beyond_MQTTnets_default_queue(int protocol)
    {
        await using var broker = await StartAsync();
        await using (var first = new MqttSession(Client(broker, "node", protocol: protocol)))
        {
            first.Subscribe("smartstore/test/#");
            await first.ConnectAsync();
        }

        // Five times MQTTnet's default of 1,000 queued messages per client, which would drop the oldest 4,000.
        await using (var devices = new MqttSession(Client(broker, "devices", clean: true, protocol: protocol)))
        {
            await devices.ConnectAsync();
            await PublishAsync(devices, "smartstore/test/shelf/weight", Enumerable.Range(1, 5_000));
        }

        await using var again = new MqttSession(Client(broker, "node", protocol: protocol));
        again.Subscribe("smartstore/test/#");
        await again.ConnectAsync();
        var received = await TakeAsync(again, 5_000);

        Assert.Equal(Numbers(1, 5_000).ToHashSet(StringComparer.Ordinal), received.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(0, broker.Overflowed);
    }

    [Fact]
    public async Task A_session_queue_that_is_full_drops_its_oldest_and_counts_them()
    {
        await using var broker = await StartAsync(new EmbeddedBrokerOptions { Port = 0, MaxQueuedMessages = 100 });
        await using (var first = new MqttSession(Client(broker, "node-small-queue")))
        {
            first.Subscribe("smartstore/test/#");
            await first.ConnectAsync();
        }

        await using (var devices = new MqttSession(Client(broker, "devices-small-queue", clean: true)))
        {
            await devices.ConnectAsync();
            await PublishAsync(devices, "smartstore/test/gate/events", Enumerable.Range(1, 150));
        }

        await using var again = new MqttSession(Client(broker, "node-small-queue"));
        again.Subscribe("smartstore/test/#");
        await again.ConnectAsync();

        // The newest 100 arrive; MQTTnet counts a dropped message again when the reconnect queues the session anew.
        Assert.Equal(Numbers(51, 100), await TakeAsync(again, 100));
        Assert.InRange(broker.Overflowed, 50, 150);
    }

    [Fact]
    public async Task With_credentials_configured_the_right_password_gets_in_and_a_wrong_or_missing_one_is_refused_and_counted()
    {
        await using var broker = await StartAsync(new EmbeddedBrokerOptions { Port = 0, Username = "node", Password = "s3cret" });
        await using var subscriber = new MqttSession(Client(broker, "node-auth"));
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();
        await using var devices = new MqttSession(Client(broker, "devices-auth", clean: true));
        await devices.ConnectAsync();
        await PublishAsync(devices, "smartstore/test/gate/events", [1, 2, 3]);
        Assert.Equal(["1", "2", "3"], await TakeAsync(subscriber, 3));

        await using var guessing = new MqttSession(Client(broker, "intruder") with { Password = "guess" });
        var wrong = await Assert.ThrowsAsync<MqttException>(() => guessing.ConnectAsync());
        await using var anonymous = new MqttSession(Client(broker, "anonymous") with { Username = null, Password = null });
        await Assert.ThrowsAsync<MqttException>(() => anonymous.ConnectAsync());
        var tool = await CommandLineTool.RunAsync("mosquitto_pub", ["-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-u", "node", "-P", "nope", "-t", "smartstore/test/x", "-m", "1"]);

        Assert.Contains("refused client 'intruder'", wrong.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, tool.ExitCode);
        Assert.Equal(3, broker.Refused);
    }

    [Fact]
    public async Task The_mosquitto_tools_talk_to_it_as_to_Mosquitto_retained_messages_included()
    {
        await using var broker = await StartAsync();
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        (await CommandLineTool.RunAsync("mosquitto_pub", ["-h", broker.Host, "-p", port, "-q", "1", "-r", "-t", "smartstore/test/node/health", "-m", "{\"ok\":true}"])).EnsureSuccess();

        var read = await CommandLineTool.RunAsync("mosquitto_sub", ["-h", broker.Host, "-p", port, "-q", "1", "-C", "1", "-W", "30", "-t", "smartstore/test/node/health"]);

        Assert.Equal((0, "{\"ok\":true}"), (read.ExitCode, read.Output.Trim()));
    }

    [Fact]
    public async Task Port_0_picks_a_free_port_and_a_port_already_taken_is_an_error_not_a_broker_that_does_not_listen()
    {
        await using var first = await StartAsync();
        Assert.InRange(first.Port, 1, 65_535);

        await Assert.ThrowsAnyAsync<SocketException>(() => StartAsync(new EmbeddedBrokerOptions { Port = first.Port }));
    }

    [Theory]
    [InlineData(70_000, 10, null, null, "the port 70000 is not between 0 and 65535")]
    [InlineData(0, 0, null, null, "the queue must hold at least one message")]
    [InlineData(0, 10, "node", null, "a username without a password")]
    [InlineData(0, 10, null, "x", "a password without a username")]
    public async Task Unusable_options_are_refused_before_anything_listens(int port, int queue, string? username, string? password, string problem)
    {
        var options = new EmbeddedBrokerOptions { Port = port, MaxQueuedMessages = queue, Username = username, Password = password };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(options));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
