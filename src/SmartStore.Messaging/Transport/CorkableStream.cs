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
/// A connection's byte stream that can hold its writes back and send them in one piece: a thousand 4-byte PUBACKs
/// become one write to the socket instead of a thousand (MQTTnet writes every packet on its own).
/// </summary>
/// <remarks>Writes stay in the order they were made: holding and releasing take the same turn as writing.</remarks>
internal sealed class CorkableStream(NetworkStream inner) : Stream
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly MemoryStream _held = new();
    private bool _corked;

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
    public async Task CorkAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        _corked = true;
        _turn.Release();
    }

    /// <summary>Sends what was held in one write and lets later writes through again.</summary>
    public async Task UncorkAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            _corked = false;
            if (_held.Length > 0)
            {
                var held = _held.GetBuffer().AsMemory(0, (int)_held.Length);
                await inner.WriteAsync(held, cancellationToken);
                _held.SetLength(0);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            if (_corked)
            {
                _held.Write(buffer.Span);
            }
            else
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _turn.Wait();
        try
        {
            if (_corked)
            {
                _held.Write(buffer, offset, count);
            }
            else
            {
                inner.Write(buffer, offset, count);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _held.Dispose();
            _turn.Dispose();
        }

        base.Dispose(disposing);
    }
}
