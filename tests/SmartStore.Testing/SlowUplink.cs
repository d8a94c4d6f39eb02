using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace SmartStore.Testing;

/// <summary>
/// A TCP relay on a free loopback port whose client-to-server direction is late by a fixed delay (bytes keep
/// their order), and whose server-to-client direction is immediate: a congested uplink. Tests use it to widen
/// races that a fast loopback hides, for instance a SUBSCRIBE reaching the broker after another client's PUBLISH.
/// </summary>
public sealed class SlowUplink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;

    private SlowUplink(string targetHost, int targetPort, TimeSpan delay)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public string Host { get; } = "127.0.0.1";

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static SlowUplink Start(string targetHost, int targetPort, TimeSpan delay) => new(targetHost, targetPort, delay);

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(cancellationToken);
                lock (_relays)
                {
                    _relays.Add(RelayAsync(client, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var server = new TcpClient { NoDelay = true })
        {
            client.NoDelay = true;
            await server.ConnectAsync(_targetHost, _targetPort, cancellationToken);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var up = CopyLateAsync(client.GetStream(), server.GetStream(), done.Token);
            var down = CopyAsync(server.GetStream(), client.GetStream(), done.Token);
            await Task.WhenAny(up, down);

            // One side closed: close both, as a real connection would.
            await done.CancelAsync();
            await Task.WhenAll(up, down).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private async Task CopyLateAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var inFlight = Channel.CreateUnbounded<(long Due, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var sending = SendWhenDueAsync(inFlight.Reader, to, cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            inFlight.Writer.TryWrite((Environment.TickCount64 + (long)_delay.TotalMilliseconds, buffer.AsSpan(0, read).ToArray()));
        }

        inFlight.Writer.TryComplete();
        await sending;
    }

    private static async Task SendWhenDueAsync(ChannelReader<(long Due, byte[] Bytes)> inFlight, Stream to, CancellationToken cancellationToken)
    {
        await foreach (var (due, bytes) in inFlight.ReadAllAsync(cancellationToken))
        {
            var wait = due - Environment.TickCount64;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }

            await to.WriteAsync(bytes, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
