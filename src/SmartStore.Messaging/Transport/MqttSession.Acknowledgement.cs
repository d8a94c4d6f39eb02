using System.Buffers;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace SmartStore.Messaging.Transport;

/// <summary>Taking messages in, holding MQTTnet back when the application falls behind, and acknowledging.</summary>
public sealed partial class MqttSession
{
    /// <summary>
    /// Says that one message read from <see cref="Inbox"/> is dealt with (stored, or refused for good). Its
    /// acknowledgement goes to the broker once every message that came before it is dealt with too.
    /// </summary>
    public void Handled(MqttInbound message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ticket = message.Ticket;
        if (ticket is null || !ReferenceEquals(ticket.Session, this))
        {
            throw new ArgumentException("the message did not come from this session", nameof(message));
        }

        // A full fence: the acknowledger reads the flag after it moved the head, and this reads the head after the flag.
        if (Interlocked.Exchange(ref ticket.HandledFlag, 1) == 1)
        {
            throw new InvalidOperationException("the message was already handled");
        }

        var left = Interlocked.Decrement(ref _unhandled);

        // Only the oldest unacknowledged message can let acknowledgements out; the rest wait behind it.
        if (ticket.Index == Interlocked.Read(ref _head) && Interlocked.Exchange(ref _acknowledgerWaiting, 0) == 1)
        {
            _headHandled.Fire();
        }

        if (left == _options.InboxCapacity - 1)
        {
            _progress.Fire();
        }
    }

    /// <summary>
    /// MQTTnet calls this for one message at a time and sends the next only after it returns, so waiting here
    /// is the back-pressure: MQTTnet keeps what else the broker sent (at most the receive maximum) and the
    /// broker the rest.
    /// </summary>
    private async Task TakeAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        received.AutoAcknowledge = false;
        var message = received.ApplicationMessage;
        var connection = Interlocked.Read(ref _connection);
        lock (_gate)
        {
            if (Volatile.Read(ref _closing) == 1)
            {
                // Closing: nobody will handle it, so it is not acknowledged either; the broker sends it again.
                _lastError = "a message arrived while the client was closing; the broker will redeliver it";
                return;
            }

            // Queued and counted before the application can see it, so the queue always holds what it may hand back.
            var ticket = new Ticket(this, _nextIndex++, received, connection);
            _tickets.Enqueue(ticket);
            Interlocked.Increment(ref _unhandled);
            Interlocked.Increment(ref _received);
            _inbox.Writer.TryWrite(new MqttInbound(message.Topic, message.Payload.ToArray()) { Ticket = ticket });
        }

        while (Volatile.Read(ref _closing) == 0 && connection == Interlocked.Read(ref _connection))
        {
            var progress = _progress.Next;
            if (Volatile.Read(ref _unhandled) < _options.InboxCapacity)
            {
                return;
            }

            await progress;
        }
    }

    /// <summary>Acknowledges the longest run of handled messages at the front, in arrival order, whenever there is one.</summary>
    private async Task AcknowledgeLoopAsync()
    {
        var closing = _closingSource.Token;
        while (true)
        {
            var headHandled = _headHandled.Next;
            Interlocked.Exchange(ref _acknowledgerWaiting, 1);
            List<Ticket>? batch = null;
            lock (_gate)
            {
                while (_tickets.TryPeek(out var oldest) && Volatile.Read(ref oldest.HandledFlag) == 1 && (batch?.Count ?? 0) < _options.AcknowledgeBatch)
                {
                    (batch ??= []).Add(_tickets.Dequeue());
                }

                Interlocked.Exchange(ref _head, _tickets.TryPeek(out var next) ? next.Index : _nextIndex);
            }

            if (batch is not null)
            {
                await AcknowledgeAsync(batch, closing);
                _progress.Fire();
                continue;
            }

            try
            {
                await headHandled.WaitAsync(closing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AcknowledgeAsync(List<Ticket> batch, CancellationToken closing)
    {
        try
        {
            await _link.WaitAsync(closing);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var connection = Interlocked.Read(ref _connection);
            var stream = _streams.Current;
            var corked = false;
            var acknowledged = 0;
            try
            {
                foreach (var ticket in batch)
                {
                    // From a connection that has gone: the broker sends it again on this one.
                    if (ticket.Connection != connection || closing.IsCancellationRequested || ticket.Message.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
                    {
                        continue;
                    }

                    if (!corked && stream is not null)
                    {
                        stream.Cork();
                        corked = true;
                    }

                    try
                    {
                        await ticket.Message.AcknowledgeAsync(closing);
                        acknowledged++;
                    }
                    catch (Exception error) when (error is MqttCommunicationException or ObjectDisposedException or OperationCanceledException)
                    {
                        _lastError = $"acknowledging: {error.Message}; the broker will send the rest again";
                        connection = -1;
                    }
                }
            }
            finally
            {
                if (!corked)
                {
                    Interlocked.Add(ref _acknowledged, acknowledged);
                }

                // Closing at once (a crash) sends nothing more: what is held goes down with the connection.
                if (corked && !closing.IsCancellationRequested && stream is not null)
                {
                    try
                    {
                        await stream.UncorkAsync();
                        Interlocked.Add(ref _acknowledged, acknowledged);
                    }
                    catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
                    {
                        _lastError = $"acknowledging: {error.Message}; the broker will send them again";
                    }
                }
            }
        }
        finally
        {
            _link.Release();
        }
    }

    /// <summary>A message taken in: where it stands in arrival order, the connection it came on (its PUBACK may only go out there), and whether it is handled.</summary>
    internal sealed class Ticket(MqttSession session, long index, MqttApplicationMessageReceivedEventArgs message, long connection)
    {
        public int HandledFlag;

        public MqttSession Session { get; } = session;

        public long Index { get; } = index;

        public MqttApplicationMessageReceivedEventArgs Message { get; } = message;

        public long Connection { get; } = connection;
    }

    /// <summary>Wakes whoever waits for the next time something changed; take <see cref="Next"/> before looking.</summary>
    private sealed class Pulse
    {
        private TaskCompletionSource _next = NewSignal();

        public Task Next => Volatile.Read(ref _next).Task;

        public void Fire() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
    }
}
