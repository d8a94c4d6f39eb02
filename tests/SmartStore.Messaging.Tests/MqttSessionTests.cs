using System.Text;
using SmartStore.Messaging.Transport;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Messaging.Tests;

/// <summary>The MQTTnet session against a real Mosquitto: QoS 1 both ways, persistent sessions, a broker restart, back-pressure.</summary>
public sealed class MqttSessionTests : IAsyncLifetime
{
    private MosquittoServer _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private MqttSessionOptions Options(string clientId, bool clean = false, int protocol = 5, int inbox = 8_192) =>
        new() { Host = _broker.Host, Port = _broker.Port, ClientId = clientId, CleanSession = clean, ProtocolVersion = protocol, InboxCapacity = inbox };

    private static Task<List<string>> TakeAsync(MqttSession client, int count) => NumberedMessages.TakeAsync(client, count, TimeSpan.FromSeconds(30));

    private static Task PublishAsync(MqttSession publisher, string topic, IEnumerable<int> numbers) => NumberedMessages.PublishAsync(publisher, topic, numbers);

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task QoS1_messages_make_the_round_trip_in_order(int protocol)
    {
        await using var subscriber = new MqttSession(Options($"sub-{protocol}", protocol: protocol));
        subscriber.Subscribe("smartstore/test/+/events");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(Options($"pub-{protocol}", clean: true, protocol: protocol));
        await publisher.ConnectAsync();

        await PublishAsync(publisher, "smartstore/test/gate-1/events", Enumerable.Range(1, 2_000));
        var received = await TakeAsync(subscriber, 2_000);

        Assert.Equal(Enumerable.Range(1, 2_000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), received);
        Assert.StartsWith("5.", MqttSession.LibraryVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_persistent_session_keeps_what_was_published_while_the_subscriber_was_away_even_across_a_broker_restart()
    {
        await using (var first = new MqttSession(Options("node-session")))
        {
            first.Subscribe("smartstore/test/#");
            await first.ConnectAsync();
        }

        await using (var publisher = new MqttSession(Options("devices", clean: true)))
        {
            await publisher.ConnectAsync();
            await PublishAsync(publisher, "smartstore/test/shelf/weight", Enumerable.Range(1, 300));
        }

        await _broker.RestartAsync();

        await using var again = new MqttSession(Options("node-session"));
        again.Subscribe("smartstore/test/#");
        await again.ConnectAsync();
        var received = await TakeAsync(again, 300);

        Assert.Equal(300, received.Distinct().Count());
    }

    [Fact]
    public async Task A_client_reconnects_and_resubscribes_by_itself_after_the_broker_restarts_and_its_session_still_outlives_the_connection()
    {
        var options = Options("node-reconnect") with { ReconnectDelay = TimeSpan.FromSeconds(1), ReconnectDelayMax = TimeSpan.FromSeconds(1) };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();

        await _broker.RestartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (subscriber.Connects < 2)
        {
            await Task.Delay(50, timeout.Token);
        }

        await using var publisher = new MqttSession(Options("devices-2", clean: true));
        await publisher.ConnectAsync();
        await PublishAsync(publisher, "smartstore/test/camera/observations", [7]);
        Assert.Equal(["7"], await TakeAsync(subscriber, 1));

        // "7" is acknowledged (and the broker has read it: a publish behind it on the same connection is answered),
        // so only what comes after the crash below is for the next client.
        while (subscriber.Acknowledged < 1)
        {
            await Task.Delay(20, timeout.Token);
        }

        await subscriber.PublishAsync("smartstore/probe/acks-arrived", "1"u8.ToArray()).WaitAsync(timeout.Token);

        // The reconnect carried the session expiry again: the session survives this client's crash.
        await subscriber.AbortAsync();
        await PublishAsync(publisher, "smartstore/test/camera/observations", Enumerable.Range(1, 50));
        await using var again = new MqttSession(options);
        again.Subscribe("smartstore/test/#");
        await again.ConnectAsync();
        Assert.Equal(Enumerable.Range(1, 50).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), await TakeAsync(again, 50));
    }

    [Fact]
    public async Task A_message_is_acknowledged_only_once_it_and_every_one_before_it_is_handled_so_a_crash_gets_every_unhandled_one_redelivered()
    {
        await using var crashing = new MqttSession(Options("node-crash"));
        crashing.Subscribe("smartstore/test/#");
        await crashing.ConnectAsync();
        await using var publisher = new MqttSession(Options("devices-4", clean: true));
        await publisher.ConnectAsync();
        await PublishAsync(publisher, "smartstore/test/shelf/weight", Enumerable.Range(1, 500));

        // All 500 arrive; 200 are handled when the process "dies": 1–100, then every other one of 101–299, as
        // entities that persist at their own pace would finish them.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new List<MqttInbound>();
        for (var i = 0; i < 500; i++)
        {
            read.Add(await crashing.Inbox.ReadAsync(timeout.Token));
        }

        var handled = Enumerable.Range(1, 100).Concat(Enumerable.Range(101, 200).Where(n => n % 2 == 1)).ToHashSet();
        foreach (var number in handled)
        {
            crashing.Handled(read[number - 1]);
        }

        // MQTT acknowledges in arrival order: 1–101 may go, 102 is not handled, so nothing after it may.
        while (crashing.Acknowledged < 101)
        {
            await Task.Delay(20, timeout.Token);
        }

        await crashing.PublishAsync("smartstore/probe/acks-arrived", "1"u8.ToArray()).WaitAsync(timeout.Token);
        Assert.Equal((300, 101L), (crashing.Unhandled, crashing.Acknowledged));
        await crashing.AbortAsync();

        // The next client of the session gets everything after the acknowledged run: every unhandled message, and
        // the handled ones that had to wait behind an unhandled one ...
        await using var second = new MqttSession(Options("node-crash"));
        second.Subscribe("smartstore/test/#");
        await second.ConnectAsync();
        var redelivered = await TakeAsync(second, 399);
        Assert.Equal(Enumerable.Range(102, 399).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), redelivered);
        Assert.Superset(Enumerable.Range(1, 500).Where(n => !handled.Contains(n)).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(), redelivered.ToHashSet());

        // ... and once it handled them all they are acknowledged: after its crash only newer messages come.
        while (second.Acknowledged < 399)
        {
            await Task.Delay(20, timeout.Token);
        }

        // Acknowledged means written to the socket, not read by the broker: a crash right after it can lose the
        // PUBACKs in flight. The broker reads one connection in order, so the answer to a publish sent after them
        // says they arrived.
        await second.PublishAsync("smartstore/probe/acks-arrived", "1"u8.ToArray()).WaitAsync(timeout.Token);
        await second.AbortAsync();
        await PublishAsync(publisher, "smartstore/test/shelf/weight", [501]);
        await using var third = new MqttSession(Options("node-crash"));
        third.Subscribe("smartstore/test/#");
        await third.ConnectAsync();
        Assert.Equal(["501"], await TakeAsync(third, 1));
    }

    [Fact]
    public async Task A_full_inbox_stops_the_network_thread_instead_of_growing_and_nothing_is_lost()
    {
        await using var subscriber = new MqttSession(Options("node-slow", inbox: 10));
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(Options("devices-3", clean: true));
        await publisher.ConnectAsync();

        // All 500 are at the broker before the first is taken; at every step the client holds at most its inbox.
        await PublishAsync(publisher, "smartstore/test/x", Enumerable.Range(1, 500));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var mostHeld = 0L;
        for (var taken = 0; taken < 500; taken++)
        {
            var message = await subscriber.Inbox.ReadAsync(timeout.Token);
            mostHeld = Math.Max(mostHeld, subscriber.Received - taken);
            subscriber.Handled(message);
        }

        Assert.True(mostHeld <= 11, $"the client held {mostHeld} messages with a 10-message inbox");
        Assert.Equal(500, subscriber.Received);
    }

    [Fact]
    public async Task QoS0_messages_beyond_the_acknowledge_batch_keep_flowing_though_they_have_no_PUBACK_to_wait_for()
    {
        await using var subscriber = new MqttSession(Options("node-qos0") with { AcknowledgeBatch = 50 });
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();

        // mosquitto_pub without -q publishes at QoS 0, a message per line.
        var lines = string.Join('\n', Enumerable.Range(1, 500).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n";
        (await CommandLineTool.RunAsync("mosquitto_pub", ["-h", _broker.Host, "-p", _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "smartstore/test/qos0", "-l"], lines)).EnsureSuccess();

        Assert.Equal(500, (await TakeAsync(subscriber, 500)).Count);
    }

    [Fact]
    public async Task A_user_with_the_right_password_gets_in_and_a_wrong_password_is_refused_with_the_brokers_reason()
    {
        await using var secured = await MosquittoServer.StartAsync(new MosquittoSecurity("node", "s3cret"));
        var options = new MqttSessionOptions { Host = secured.Host, Port = secured.Port, ClientId = "node-auth", Username = "node", Password = "s3cret" };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(options with { ClientId = "devices-auth", CleanSession = true });
        await publisher.ConnectAsync();
        await PublishAsync(publisher, "smartstore/test/gate/events", [1, 2, 3]);
        Assert.Equal(["1", "2", "3"], await TakeAsync(subscriber, 3));

        await using var intruder = new MqttSession(options with { ClientId = "intruder", Password = "guess" });
        var error = await Assert.ThrowsAsync<MqttException>(() => intruder.ConnectAsync());
        Assert.Contains("refused client 'intruder'", error.Message, StringComparison.Ordinal);
        Assert.Contains("authori", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Connecting_a_new_session_returns_only_after_the_broker_has_answered_every_subscription()
    {
        // Before this, ConnectAsync returned on the CONNACK: a device publishing at once could beat the SUBSCRIBE
        // to the broker, and its message was lost (a loaded CI run caught it). A slow uplink widens that race to
        // 300 ms; the broker's packet log shows the order.
        await using var logged = await MosquittoServer.StartAsync(logPackets: true);
        await using var uplink = SlowUplink.Start(logged.Host, logged.Port, TimeSpan.FromMilliseconds(300));
        var options = new MqttSessionOptions { Host = uplink.Host, Port = uplink.Port, ClientId = "node-new-session" };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("smartstore/test/a/#");
        subscriber.Subscribe("smartstore/test/b/#");
        await subscriber.ConnectAsync();

        // Mosquitto logs a packet before sending it, so the SUBACKs the client has read are in the log by now.
        var log = await File.ReadAllTextAsync(logged.LogFile);
        Assert.Equal(2, log.Split("Sending SUBACK to node-new-session").Length - 1);

        await using var publisher = new MqttSession(options with { Port = logged.Port, ClientId = "devices-new-session", CleanSession = true });
        await publisher.ConnectAsync();
        await PublishAsync(publisher, "smartstore/test/b/gate", [1]);
        Assert.Equal(["1"], await TakeAsync(subscriber, 1));
    }

    [Fact]
    public async Task Messages_make_the_round_trip_over_TLS_with_the_brokers_CA()
    {
        await using var secured = await MosquittoServer.StartAsync(new MosquittoSecurity(Tls: true));
        var options = new MqttSessionOptions { Host = secured.Host, Port = secured.TlsPort, ClientId = "node-tls", TlsCaFile = secured.CaFile };
        await using var subscriber = new MqttSession(options);
        subscriber.Subscribe("smartstore/test/#");
        await subscriber.ConnectAsync();
        await using var publisher = new MqttSession(options with { ClientId = "devices-tls", CleanSession = true });
        await publisher.ConnectAsync();

        await PublishAsync(publisher, "smartstore/test/camera/observations", Enumerable.Range(1, 100));

        Assert.Equal(100, (await TakeAsync(subscriber, 100)).Distinct().Count());
        await using var plain = new MqttSession(options with { ClientId = "plain-to-tls", TlsCaFile = null, ConnectTimeout = TimeSpan.FromSeconds(3) });
        await Assert.ThrowsAsync<MqttException>(() => plain.ConnectAsync());
    }

    [Theory]
    [InlineData("port", "the broker port 0 is not between 1 and 65535")]
    [InlineData("client", "the client id is empty")]
    [InlineData("protocol", "protocol version 3 is not 4 (MQTT 3.1.1) or 5 (MQTT 5)")]
    [InlineData("password", "a password without a username")]
    [InlineData("ca", "the TLS CA file '/nowhere/ca.crt' does not exist")]
    [InlineData("key", "a TLS client certificate and its key go together")]
    public void Options_that_cannot_work_are_refused_before_connecting_with_the_reason(string what, string reason)
    {
        var good = new MqttSessionOptions { ClientId = "node" };
        var bad = what switch
        {
            "port" => good with { Port = 0 },
            "client" => good with { ClientId = string.Empty },
            "protocol" => good with { ProtocolVersion = 3 },
            "password" => good with { Password = "x" },
            "ca" => good with { TlsCaFile = "/nowhere/ca.crt" },
            _ => good with { TlsCaFile = typeof(MqttSessionTests).Assembly.Location, TlsCertFile = typeof(MqttSessionTests).Assembly.Location },
        };

        Assert.Null(good.Problem());
        var error = Assert.Throws<ArgumentException>(() => new MqttSession(bad));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_is_not_there_is_named_in_the_error()
    {
        var options = new MqttSessionOptions { Host = "127.0.0.1", Port = 1, ClientId = "nobody", ConnectTimeout = TimeSpan.FromSeconds(2) };
        await using var client = new MqttSession(options);

        var error = await Assert.ThrowsAsync<MqttException>(() => client.ConnectAsync());

        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
