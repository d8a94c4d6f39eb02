using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SmartStore.Testing;

/// <summary>
/// A Mosquitto broker (Debian's <c>mosquitto</c>) for one test run: a free loopback port, persistence in a
/// temporary directory (so persistent sessions and queued QoS 1 messages survive a broker restart), stopped
/// and deleted on dispose. Restartable on the same port and store.
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private readonly string _root;
    private Process? _process;

    private MosquittoServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    public static string Binary => Environment.GetEnvironmentVariable("SMARTSTORE_MOSQUITTO") ?? "/usr/sbin/mosquitto";

    public static async Task<MosquittoServer> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"Mosquitto not found at '{Binary}'. Install the Debian package mosquitto (./smartstore test does) or set SMARTSTORE_MOSQUITTO.");
        }

        var root = Directory.CreateTempSubdirectory("smartstore-mosquitto-").FullName;
        var server = new MosquittoServer(root, PostgresServer.FreePort());
        await File.WriteAllTextAsync(Path.Combine(root, "mosquitto.conf"), $"""
            listener {server.Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {root}/
            autosave_interval 1
            max_queued_messages 1000000
            max_inflight_messages 1000
            max_packet_size 1048576
            log_dest file {root}/mosquitto.log
            {(Environment.IsPrivilegedProcess ? "user root" : string.Empty)}
            """, cancellationToken);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>Stops the broker (it saves its sessions and queued messages) and starts it again on the same port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartProcessAsync(cancellationToken);
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM: mosquitto writes its persistence file on a clean shutdown.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A log file still open somewhere: the temporary directory is cleaned up by the system.
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        _process = Process.Start(new ProcessStartInfo(Binary, ["-c", Path.Combine(_root, "mosquitto.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("mosquitto did not start");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                var log = File.Exists(Path.Combine(_root, "mosquitto.log")) ? await File.ReadAllTextAsync(Path.Combine(_root, "mosquitto.log"), cancellationToken) : string.Empty;
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync(cancellationToken)} {log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {Port} within 20 s");
    }
}
