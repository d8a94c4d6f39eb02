using Akka.Actor;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Transport;

public abstract record MqttConnectionCommand
{
    private MqttConnectionCommand()
    {
    }

    /// <summary>Publish at QoS 1; answered with <see cref="Published"/> once the broker has it, or a failure when the outbox is full.</summary>
    public sealed record Publish(string Topic, ReadOnlyMemory<byte> Payload, bool Retain) : MqttConnectionCommand;

    /// <summary>Answered with an <see cref="OutboxStatus"/>.</summary>
    public sealed record GetStatus : MqttConnectionCommand
    {
        public static readonly GetStatus Instance = new();
    }

    internal sealed record ConnectionChanged(bool Connected) : MqttConnectionCommand;

    internal sealed record PublishFinished(IActorRef ReplyTo, Exception? Error) : MqttConnectionCommand;
}

/// <summary>The broker has a published message.</summary>
public sealed record Published
{
    public static readonly Published Instance = new();
}

/// <summary>The outgoing side at a glance: commands waiting, in flight, sent, refused.</summary>
public sealed record OutboxStatus(bool Connected, int Waiting, int InFlight, long Published, long Refused);

/// <summary>
/// Owns the node's outgoing connection (gate commands, health): knows whether it is up, keeps the outbound
/// queue bounded (commands wait here while the broker is away, and are refused once the outbox is full rather
/// than piling up in the client), and limits publishes in flight. The session only tells it that the
/// connection came or went.
/// </summary>
public sealed class MqttConnectionActor : ReceiveActor
{
    private readonly Queue<(MqttConnectionCommand.Publish Publish, IActorRef ReplyTo)> _outbox = new();
    private readonly MqttSession _client;
    private readonly int _outboxCapacity;
    private readonly int _maxInFlight;
    private bool _connected;
    private int _inFlight;
    private long _published;
    private long _refused;

    public MqttConnectionActor(MqttSession client, int outboxCapacity = 10_000, int maxInFlight = 256)
    {
        _client = client;
        _outboxCapacity = outboxCapacity;
        _maxInFlight = maxInFlight;
        Receive<MqttConnectionCommand.Publish>(publish =>
        {
            if (_outbox.Count >= _outboxCapacity)
            {
                _refused++;
                Sender.Tell(new Status.Failure(new MqttException($"the MQTT outbox is full ({_outboxCapacity} messages waiting for the broker)")));
                return;
            }

            _outbox.Enqueue((publish, Sender));
            Flush();
        });
        Receive<MqttConnectionCommand.ConnectionChanged>(changed =>
        {
            _connected = changed.Connected;
            Flush();
        });
        Receive<MqttConnectionCommand.PublishFinished>(finished =>
        {
            _inFlight--;
            finished.ReplyTo.Tell(finished.Error is null ? Published.Instance : new Status.Failure(finished.Error));
            Flush();
        });
        Receive<MqttConnectionCommand.GetStatus>(_ => Sender.Tell(new OutboxStatus(_connected, _outbox.Count, _inFlight, _published, _refused)));
    }

    protected override void PreStart()
    {
        var self = Self;
        _client.ConnectionChanged = connected => self.Tell(new MqttConnectionCommand.ConnectionChanged(connected));
        _connected = _client.IsConnected;
    }

    private void Flush()
    {
        while (_connected && _inFlight < _maxInFlight && _outbox.TryDequeue(out var next))
        {
            _inFlight++;
            _published++;
            _client.PublishAsync(next.Publish.Topic, next.Publish.Payload, next.Publish.Retain)
                .PipeTo(Self, success: () => new MqttConnectionCommand.PublishFinished(next.ReplyTo, null), failure: error => new MqttConnectionCommand.PublishFinished(next.ReplyTo, error));
        }
    }
}
