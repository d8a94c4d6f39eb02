using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartStore.Messaging.Mqtt;

/// <summary>
/// libmosquitto's callbacks. They run on the client's network thread, inside <c>loop_read</c> or
/// <c>loop_write</c>; they only record and hand over, and must never throw into native code.
/// </summary>
public sealed partial class MqttClient
{
    private static MqttClient Of(nint userData) => (MqttClient)GCHandle.FromIntPtr(userData).Target!;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnConnect(nint mosq, nint userData, int rc, int flags)
    {
        var client = Of(userData);
        client.Guarded("connect callback", () => client.Connected(mosq, rc, sessionPresent: (flags & 1) != 0));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnSubscribe(nint mosq, nint userData, int mid, int qosCount, int* grantedQos)
    {
        var client = Of(userData);
        var refused = false;
        for (var i = 0; i < qosCount; i++)
        {
            // 0x80 and above: the broker refused the subscription (an ACL, a bad filter).
            refused |= grantedQos[i] >= 0x80;
        }

        client.Guarded("subscribe callback", () => client.Subscribed(mid, refused));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDisconnect(nint mosq, nint userData, int rc)
    {
        var client = Of(userData);
        client._isConnected = false;
        if (rc != 0)
        {
            client._lastError = $"connection lost: {LibMosquitto.Error(rc)}";
        }

        client.Guarded("disconnect callback", () => client.ConnectionChanged?.Invoke(false));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnPublish(nint mosq, nint userData, int mid)
    {
        var client = Of(userData);
        TaskCompletionSource? done;
        lock (client._gate)
        {
            if (!client._pending.Remove(mid, out done))
            {
                // The broker answered before the publisher registered its waiter.
                client._earlyAcks.Add(mid);
            }
        }

        done?.TrySetResult();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnMessage(nint mosq, nint userData, NativeMessage* message)
    {
        var client = Of(userData);

        // Counted as unhandled before anything else: should the copy fail, the message is never acknowledged
        // (the client stalls) rather than acknowledged and lost.
        Interlocked.Increment(ref client._unhandled);
        client._readSinceAck++;

        // Not through Guarded: this runs for every message, and a closure here would be an allocation each time.
        try
        {
            var topic = Marshal.PtrToStringUTF8(message->Topic) ?? string.Empty;
            var payload = new ReadOnlySpan<byte>((void*)message->Payload, message->PayloadLength).ToArray();
            Interlocked.Increment(ref client._received);
            if (!client._inbox.Writer.TryWrite(new MqttInbound(topic, payload)))
            {
                // Closing: nobody will handle it, and it will not be acknowledged either.
                client._lastError = "a message arrived while the client was closing; the broker will redeliver it";
            }
        }
#pragma warning disable CA1031 // As in Guarded.
        catch (Exception error)
#pragma warning restore CA1031
        {
            client._lastError = $"message callback: {error.Message}";
        }
    }

    /// <summary>Nothing may escape into libmosquitto: a failure in a callback is kept for the health page.</summary>
    private void Guarded(string what, Action action)
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // See the summary: native code cannot take an exception.
        catch (Exception error)
#pragma warning restore CA1031
        {
            _lastError = $"{what}: {error.Message}";
        }
    }

    private void Connected(nint mosq, int rc, bool sessionPresent)
    {
        if (rc != 0)
        {
            var reason = $"the broker {_options.Host}:{_options.Port} refused client '{_options.ClientId}': {LibMosquitto.Refusal(rc, _options.ProtocolVersion)}";
            _lastError = reason;
            _connected.TrySetException(new MqttException(reason));
            return;
        }

        string[] subscriptions;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions];
        }

        // A first connection that dropped before its SUBACKs subscribes again; the old message ids mean nothing now.
        var first = !_connected.Task.IsCompleted;
        _firstSubscriptions.Clear();
        foreach (var pattern in subscriptions)
        {
            var subscribed = LibMosquitto.Subscribe(mosq, out var mid, pattern, 1);
            if (subscribed != LibMosquitto.Success)
            {
                var reason = $"MQTT client '{_options.ClientId}' could not subscribe to '{pattern}': {LibMosquitto.Error(subscribed)}";
                _lastError = reason;
                _connected.TrySetException(new MqttException(reason));
            }
            else if (first && !sessionPresent)
            {
                _firstSubscriptions.Add(mid);
            }
        }

        _reconnectAttempt = 0;
        Interlocked.Increment(ref _connects);
        _isConnected = true;
        if (_firstSubscriptions.Count == 0)
        {
            _connected.TrySetResult();
        }

        ConnectionChanged?.Invoke(true);
    }

    private void Subscribed(int mid, bool refused)
    {
        if (refused)
        {
            var reason = $"the broker {_options.Host}:{_options.Port} refused a subscription of client '{_options.ClientId}'";
            _lastError = reason;
            _connected.TrySetException(new MqttException(reason));
        }

        if (_firstSubscriptions.Remove(mid) && _firstSubscriptions.Count == 0)
        {
            _connected.TrySetResult();
        }
    }
}
