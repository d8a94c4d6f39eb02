using SmartStore.Actors;
using SmartStore.Messaging.Mqtt;

namespace SmartStore.Node.Transport;

public abstract record MqttConnectionCommand
{
    private MqttConnectionCommand()
    {
    }

    /// <summary>Publish at QoS 1; <paramref name="Done"/> completes when the broker has it (or fails when the outbox is full).</summary>
    public sealed record Publish(string Topic, ReadOnlyMemory<byte> Payload, bool Retain, TaskCompletionSource Done) : MqttConnectionCommand;

    public sealed record GetStatus(ActorRef<OutboxStatus> ReplyTo) : MqttConnectionCommand;

    internal sealed record ConnectionChanged(bool Connected) : MqttConnectionCommand;

    internal sealed record PublishFinished : MqttConnectionCommand
    {
        public static readonly PublishFinished Instance = new();
    }
}

/// <summary>The outgoing side at a glance: commands waiting, in flight, sent, refused.</summary>
public sealed record OutboxStatus(bool Connected, int Waiting, int InFlight, long Published, long Refused);

/// <summary>
/// Owns the node's outgoing connection (gate commands, health): knows whether it is up, keeps the outbound
/// queue bounded (commands wait here while the broker is away, and are refused once the outbox is full rather
/// than piling up in libmosquitto), and limits publishes in flight. The network thread only tells it that the
/// connection came or went.
/// </summary>
public sealed class MqttConnectionActor(MqttClient client, int outboxCapacity = 10_000, int maxInFlight = 256) : Actor<MqttConnectionCommand>
{
    private readonly Queue<MqttConnectionCommand.Publish> _outbox = new();
    private bool _connected;
    private int _inFlight;
    private long _published;
    private long _refused;

    protected override ValueTask PreStartAsync()
    {
        var self = Context.Self;
        client.ConnectionChanged = connected => self.Tell(new MqttConnectionCommand.ConnectionChanged(connected));
        _connected = client.IsConnected;
        return default;
    }

    protected override ValueTask ReceiveAsync(MqttConnectionCommand message)
    {
        switch (message)
        {
            case MqttConnectionCommand.Publish publish when _outbox.Count >= outboxCapacity:
                _refused++;
                publish.Done.TrySetException(new MqttException($"the MQTT outbox is full ({outboxCapacity} messages waiting for the broker)"));
                break;
            case MqttConnectionCommand.Publish publish:
                _outbox.Enqueue(publish);
                Flush();
                break;
            case MqttConnectionCommand.ConnectionChanged changed:
                _connected = changed.Connected;
                Flush();
                break;
            case MqttConnectionCommand.PublishFinished:
                _inFlight--;
                Flush();
                break;
            case MqttConnectionCommand.GetStatus get:
                get.ReplyTo.Tell(new OutboxStatus(_connected, _outbox.Count, _inFlight, _published, _refused));
                break;
        }

        return default;
    }

    private void Flush()
    {
        var self = Context.Self;
        while (_connected && _inFlight < maxInFlight && _outbox.TryDequeue(out var publish))
        {
            _inFlight++;
            _published++;
            client.PublishAsync(publish.Topic, publish.Payload, publish.Retain).ContinueWith(
                (task, state) =>
                {
                    var (done, actor) = ((TaskCompletionSource, ActorRef<MqttConnectionCommand>))state!;
                    if (task.Exception is { } error)
                    {
                        done.TrySetException(error.GetBaseException());
                    }
                    else
                    {
                        done.TrySetResult();
                    }

                    actor.Tell(MqttConnectionCommand.PublishFinished.Instance);
                },
                (publish.Done, self),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
