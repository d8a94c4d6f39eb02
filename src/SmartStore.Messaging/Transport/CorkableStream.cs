using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

namespace SmartStore.Messaging.Transport;

/// <summary>
/// Opens the session's TCP connections for MQTTnet (TLS, when on, is layered above by MQTTnet) and keeps the
/// newest one, so the session can cork it while it writes a batch of acknowledgements.
/// </summary>
internal sealed class CorkableStreamProvider(bool noDelay) : IMqttClientStreamProvider
{
    private volatile CorkableStream? _current;

    /// <summary>The newest connection's stream; null before the first.</summary>
    public CorkableStream? Current => _current;

    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = noDelay };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new CorkableStream(new NetworkStream(socket, ownsSocket: true));
        _current = stream;
        return stream;
    }
}

/// <summary>
/// A connection's byte stream that spares MQTTnet a system call per packet. MQTTnet reads every packet in two or
/// three reads (header, length, body) and writes every packet on its own; here reads come out of a 64 KB
/// read-ahead, and writes made while one is on its way to the socket are gathered and go out together behind it
/// (a burst of publishes or acknowledgements becomes a few writes). While corked nothing is written at all, so a
/// batch of acknowledgements leaves in one piece when it is uncorked.
/// </summary>
/// <remarks>
/// Writes stay in the order they were made. A write completes once it is queued, as a socket's does once the
/// kernel has it; a failed write fails the next one. Disposing drops what is still queued, as a crash would;
/// a graceful close first turns on <see cref="WriteThrough"/> so its DISCONNECT is on the wire before the socket
/// closes.
/// </remarks>
internal sealed class CorkableStream(NetworkStream inner) : Stream
{
    private const int ReadAhead = 64 * 1024;

    // Queued bytes beyond which a writer waits for the socket, so a stalled broker cannot grow the queue for good.
    private const int MostQueued = 1 << 20;

    private readonly byte[] _readAhead = new byte[ReadAhead];
    private int _readStart;
    private int _readEnd;

    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _queued = new();
    private ArrayBufferWriter<byte> _sending = new();
    private Task _flushing = Task.CompletedTask;
    private bool _flushRunning;
    private bool _corked;
    private volatile bool _writeThrough;
    private Exception? _failed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>From now on writes are held until <see cref="UncorkAsync"/>.</summary>
    public void Cork()
    {
        lock (_gate)
        {
            _corked = true;
        }
    }

    /// <summary>Sends what was held and returns once it (and everything queued before it) is with the socket.</summary>
    public async Task UncorkAsync()
    {
        Task flushing;
        lock (_gate)
        {
            _corked = false;
            flushing = StartFlushing(yieldFirst: false);
        }

        await flushing;
        ThrowIfFailed();
    }

    /// <summary>Every write from now on waits until it is with the socket (a graceful close's last packets).</summary>
    public async Task WriteThrough()
    {
        _writeThrough = true;
        Task flushing;
        lock (_gate)
        {
            flushing = StartFlushing(yieldFirst: false);
        }

        await flushing;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Task? wait = null;
        lock (_gate)
        {
            ThrowIfFailed();
            _queued.Write(buffer.Span);

            // Not at once: the writes MQTTnet makes meanwhile join this one.
            var flushing = StartFlushing(yieldFirst: true);
            if (_writeThrough || _queued.WrittenCount > MostQueued)
            {
                wait = flushing;
            }
        }

        if (wait is not null)
        {
            await wait.WaitAsync(cancellationToken);
            ThrowIfFailed();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the MQTT connection is written asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // One reader at a time (MQTTnet's receive loop), so the read-ahead needs no lock.
        if (_readStart == _readEnd)
        {
            if (buffer.Length >= ReadAhead)
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }

            var read = await inner.ReadAsync(_readAhead, cancellationToken);
            if (read == 0)
            {
                return 0;
            }

            (_readStart, _readEnd) = (0, read);
        }

        var take = Math.Min(buffer.Length, _readEnd - _readStart);
        _readAhead.AsSpan(_readStart, take).CopyTo(buffer.Span);
        _readStart += take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the MQTT connection is read asynchronously");

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return StartFlushing(yieldFirst: false).WaitAsync(cancellationToken);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _failed ??= new ObjectDisposedException(nameof(CorkableStream));
            }

            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The running flush, started when there is something to send and nothing holds it back. Under <see cref="_gate"/>.</summary>
    private Task StartFlushing(bool yieldFirst)
    {
        if (!_flushRunning && !_corked && _failed is null && _queued.WrittenCount > 0)
        {
            _flushRunning = true;
            _flushing = FlushAsync(yieldFirst && !_writeThrough);
        }

        return _flushing;
    }

    private async Task FlushAsync(bool yieldFirst)
    {
        if (yieldFirst)
        {
            await Task.Yield();
        }

        while (true)
        {
            ArrayBufferWriter<byte> batch;
            lock (_gate)
            {
                if (_corked || _failed is not null || _queued.WrittenCount == 0)
                {
                    _flushRunning = false;
                    return;
                }

                (batch, _queued, _sending) = (_queued, _sending, _queued);
            }

            try
            {
                await inner.WriteAsync(batch.WrittenMemory);
                batch.ResetWrittenCount();
            }
#pragma warning disable CA1031 // Kept and thrown to the next writer: that is where MQTTnet sees a broken connection.
            catch (Exception error)
#pragma warning restore CA1031
            {
                lock (_gate)
                {
                    _failed = error;
                    _flushRunning = false;
                }

                return;
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failed is { } failed)
        {
            throw failed as IOException ?? new IOException($"the MQTT connection failed: {failed.Message}", failed);
        }
    }
}
