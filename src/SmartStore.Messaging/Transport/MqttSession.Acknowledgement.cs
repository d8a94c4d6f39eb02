using System.Buffers;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace SmartStore.Messaging.Transport;

/// <summary>Taking messages in, holding MQTTnet back when the application falls behind, and acknowledging.</summary>
public sealed partial class MqttSession
{
    /// <summary>
    /// MQTTnet calls this for one message at a time and sends the next only after it returns, so waiting here
    /// is the back-pressure: MQTTnet keeps what else the broker sent (at most the receive maximum) and the
    /// broker the rest.
    /// </summary>
    private async Task TakeAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        received.AutoAcknowledge = false;
        var message = received.ApplicationMessage;
        var inbound = new MqttInbound(message.Topic, message.Payload.ToArray());
        var connection = Interlocked.Read(ref _connection);
        lock (_gate)
        {
            if (Volatile.Read(ref _closing) == 1)
            {
                // Closing: nobody will handle it, so it is not acknowledged either; the broker sends it again.
                _lastError = "a message arrived while the client was closing; the broker will redeliver it";
                return;
            }

            // Counted and listed before the application can see it, so "all handled" always covers the list.
            _unacknowledged.Add(new Taken(received, connection));
            _takenSinceAcknowledging++;
            Interlocked.Increment(ref _unhandled);
            Interlocked.Increment(ref _received);
            _inbox.Writer.TryWrite(inbound);
        }

        while (Volatile.Read(ref _closing) == 0 && connection == Interlocked.Read(ref _connection))
        {
            var progress = _progress.Next;
            bool full;
            lock (_gate)
            {
                full = _unhandled >= _options.InboxCapacity || _takenSinceAcknowledging >= _options.AcknowledgeBatch;
            }

            if (!full)
            {
                return;
            }

            await progress;
        }
    }

    /// <summary>Whenever everything taken in is handled, acknowledges all of it, in arrival order.</summary>
    private async Task AcknowledgeLoopAsync()
    {
        var closing = _closingSource.Token;
        while (true)
        {
            var allHandled = _allHandled.Next;
            List<Taken>? batch = null;
            lock (_gate)
            {
                if (_unhandled == 0 && _unacknowledged.Count > 0)
                {
                    batch = _unacknowledged;
                    _unacknowledged = [];
                    _takenSinceAcknowledging = 0;
                }
            }

            if (batch is not null)
            {
                await AcknowledgeAsync(batch, closing);
                _progress.Fire();
                continue;
            }

            try
            {
                await allHandled.WaitAsync(closing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AcknowledgeAsync(List<Taken> batch, CancellationToken closing)
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
                foreach (var taken in batch)
                {
                    // From a connection that has gone: the broker sends it again on this one.
                    if (taken.Connection != connection || closing.IsCancellationRequested || taken.Message.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
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
                        await taken.Message.AcknowledgeAsync(closing);
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

    /// <summary>A message taken in, with the connection it came on (its PUBACK may only go out there).</summary>
    private readonly record struct Taken(MqttApplicationMessageReceivedEventArgs Message, long Connection);

    /// <summary>Wakes whoever waits for the next time something changed; take <see cref="Next"/> before looking.</summary>
    private sealed class Pulse
    {
        private TaskCompletionSource _next = NewSignal();

        public Task Next => Volatile.Read(ref _next).Task;

        public void Fire() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
    }
}
