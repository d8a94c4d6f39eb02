using System.Runtime.InteropServices;

namespace SmartStore.Messaging.Mqtt;

/// <summary>The network thread: reading, acknowledging after handling, keep-alive, reconnecting.</summary>
public sealed partial class MqttClient
{
    private const int StopNone = 0;
    private const int StopDraining = 1;
    private const int StopAborting = 2;
    private const int IdlePollMs = 1_000;
    private const int MaxReadsPerTurn = 256;

    private int _stop;

    // Owned by the network thread.
    private int _readSinceAck;
    private int _reconnectAttempt;

    private void RequestStop(int how)
    {
        Interlocked.Exchange(ref _stop, how);
        _wake.Signal();
    }

    /// <summary>
    /// One turn: decide what the socket may do (read while under the batch and inbox bounds; write only while
    /// every received message is handled), poll the socket and the wake-up signal, then read, write and keep
    /// alive. Every packet libmosquitto queued while a message was unhandled waits, PUBACKs included.
    /// </summary>
    private unsafe void NetworkLoop()
    {
        var fds = stackalloc LibC.PollFd[2];
        try
        {
            while (true)
            {
                var stop = Volatile.Read(ref _stop);
                if (stop == StopAborting)
                {
                    return;
                }

                var socket = LibMosquitto.Socket(_mosq);
                if (socket < 0)
                {
                    // Nothing more can be acknowledged on a closed connection: a draining client is done.
                    if (stop == StopDraining || !Reconnect())
                    {
                        return;
                    }

                    continue;
                }

                _wake.Arm();
                var unhandled = Volatile.Read(ref _unhandled);
                var read = MayRead(stop);
                var write = unhandled == 0 && LibMosquitto.WantWrite(_mosq);
                if (stop == StopDraining && !read && !write && unhandled == 0)
                {
                    SayGoodbye(fds, socket);
                    return;
                }

                fds[0] = new LibC.PollFd { Fd = socket, Events = (short)((read ? LibC.PollIn : 0) | (write ? LibC.PollOut : 0)) };
                fds[1] = new LibC.PollFd { Fd = _wake.Fd, Events = LibC.PollIn };
                if (LibC.Poll(fds, 2, IdlePollMs) < 0)
                {
                    continue;
                }

                if ((fds[1].Revents & LibC.PollIn) != 0)
                {
                    _wake.Drain();
                }

                if ((fds[0].Revents & (LibC.PollIn | LibC.PollError | LibC.PollHangUp)) != 0 && !ReadAvailable(stop))
                {
                    continue;
                }

                // Read again after reading: a message read just now is unhandled, and its PUBACK must wait.
                if (Volatile.Read(ref _unhandled) == 0)
                {
                    var handled = Interlocked.Read(ref _received);
                    if (LibMosquitto.WantWrite(_mosq) && Failed(LibMosquitto.LoopWrite(_mosq, 1), "write"))
                    {
                        continue;
                    }

                    // Everything read is handled and nothing waits to be written (QoS 0 messages have no PUBACK).
                    if (!LibMosquitto.WantWrite(_mosq))
                    {
                        _readSinceAck = 0;
                        Interlocked.Exchange(ref _acknowledged, handled);
                    }
                }

                Failed(LibMosquitto.LoopMisc(_mosq), "keep-alive");
            }
        }
        finally
        {
            _loopExited.TrySetResult();
        }
    }

    /// <summary>Reading is allowed under the inbox and batch bounds; a draining client reads only the answers to its own publishes.</summary>
    private bool MayRead(int stop)
    {
        if (Volatile.Read(ref _unhandled) >= _options.InboxCapacity || _readSinceAck >= _options.AcknowledgeBatch)
        {
            return false;
        }

        if (stop == StopNone)
        {
            return true;
        }

        lock (_gate)
        {
            return _pending.Count > 0;
        }
    }

    /// <summary>
    /// Reads packets until the socket runs dry or a bound is reached: libmosquitto reads one packet per call
    /// for a subscriber, and one poll per packet would cost more than the packet. False when the connection failed.
    /// </summary>
    private bool ReadAvailable(int stop)
    {
        for (var i = 0; i < MaxReadsPerTurn; i++)
        {
            if (Failed(LibMosquitto.LoopRead(_mosq, 1), "read"))
            {
                return false;
            }

            if (Marshal.GetLastPInvokeError() == LibC.TryAgain || !MayRead(stop))
            {
                break;
            }
        }

        return true;
    }

    /// <summary>A failed read or write: libmosquitto has closed the socket (and said so through the disconnect callback).</summary>
    private bool Failed(int rc, string what)
    {
        if (rc == LibMosquitto.Success)
        {
            return false;
        }

        _lastError = $"{what}: {LibMosquitto.Error(rc)}";
        return true;
    }

    /// <summary>Waits the back-off (a stop cuts it short), then opens a new connection. False when the client is stopping.</summary>
    private unsafe bool Reconnect()
    {
        var delay = _options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_reconnectAttempt, 16));
        _reconnectAttempt++;
        var wait = (int)Math.Clamp(delay, 1, Math.Max(1, _options.ReconnectDelayMax.TotalMilliseconds));
        _wake.Arm();
        if (Volatile.Read(ref _stop) != StopNone)
        {
            return false;
        }

        var fd = new LibC.PollFd { Fd = _wake.Fd, Events = LibC.PollIn };
        if (LibC.Poll(&fd, 1, wait) > 0)
        {
            _wake.Drain();
        }

        if (Volatile.Read(ref _stop) != StopNone)
        {
            return false;
        }

        var rc = ConnectNative();
        if (rc != LibMosquitto.Success)
        {
            _lastError = $"reconnect to {_options.Host}:{_options.Port}: {LibMosquitto.Error(rc)}";
        }

        return true;
    }

    /// <summary>Everything is handled and acknowledged: a DISCONNECT tells the broker this was no crash.</summary>
    private unsafe void SayGoodbye(LibC.PollFd* fds, int socket)
    {
        if (LibMosquitto.Disconnect(_mosq) != LibMosquitto.Success)
        {
            return;
        }

        var deadline = Environment.TickCount64 + 2_000;
        while (LibMosquitto.WantWrite(_mosq) && Environment.TickCount64 < deadline && LibMosquitto.Socket(_mosq) >= 0)
        {
            fds[0] = new LibC.PollFd { Fd = socket, Events = LibC.PollOut };
            LibC.Poll(fds, 1, 100);
            if (Failed(LibMosquitto.LoopWrite(_mosq, 1), "disconnect"))
            {
                return;
            }
        }
    }
}
