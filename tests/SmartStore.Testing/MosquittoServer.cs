using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmartStore.Testing;

/// <summary>What a test broker asks of its clients: a user with a password, and a TLS listener beside the plain one.</summary>
public sealed record MosquittoSecurity(string? Username = null, string? Password = null, bool Tls = false);

/// <summary>
/// A Mosquitto broker (Debian's <c>mosquitto</c>) for one test run: a free loopback port, persistence in a
/// temporary directory (so persistent sessions and queued QoS 1 messages survive a broker restart), stopped
/// and deleted on dispose. Restartable on the same port and store. Optionally with a password file and a TLS
/// listener whose CA and server certificate are made with <c>openssl</c> for the run.
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

    /// <summary>The TLS listener's port (0 without TLS).</summary>
    public int TlsPort { get; private set; }

    /// <summary>The CA that signed the TLS listener's certificate (null without TLS).</summary>
    public string? CaFile { get; private set; }

    public string LogFile => Path.Combine(_root, "mosquitto.log");

    public static string Binary => Environment.GetEnvironmentVariable("SMARTSTORE_MOSQUITTO") ?? "/usr/sbin/mosquitto";

    /// <param name="logPackets">Log every packet (Mosquitto's debug level) to <see cref="LogFile"/>, for tests that check what the broker saw; too slow for load.</param>
    /// <param name="maxInflightMessages">Mosquitto's <c>max_inflight_messages</c>: 1,000 as the node's README recommends; the benchmark compares its default, 20.</param>
    public static async Task<MosquittoServer> StartAsync(MosquittoSecurity? security = null, bool logPackets = false, int maxInflightMessages = 1_000, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"Mosquitto not found at '{Binary}'. Install the Debian package mosquitto (./smartstore test does) or set SMARTSTORE_MOSQUITTO.");
        }

        var root = Directory.CreateTempSubdirectory("smartstore-mosquitto-").FullName;
        var server = new MosquittoServer(root, PostgresServer.FreePort());
        var config = new List<string>
        {
            $"listener {server.Port} 127.0.0.1",
            "persistence true",
            $"persistence_location {root}/",
            "autosave_interval 1",
            "max_queued_messages 1000000",
            $"max_inflight_messages {maxInflightMessages}",
            "max_packet_size 1048576",
            $"log_dest file {server.LogFile}",
        };
        if (logPackets)
        {
            config.Add("log_type all");
        }

        if (Environment.IsPrivilegedProcess)
        {
            config.Add("user root");
        }

        if (security?.Username is { } user)
        {
            var passwords = Path.Combine(root, "passwords");
            (await CommandLineTool.RunAsync("mosquitto_passwd", ["-b", "-c", passwords, user, security.Password ?? string.Empty], cancellationToken: cancellationToken)).EnsureSuccess();
            config.AddRange(["allow_anonymous false", $"password_file {passwords}"]);
        }
        else
        {
            config.Add("allow_anonymous true");
        }

        if (security?.Tls == true)
        {
            server.TlsPort = PostgresServer.FreePort();
            server.CaFile = await MakeCertificatesAsync(root, cancellationToken);
            config.AddRange([$"listener {server.TlsPort} 127.0.0.1", $"cafile {server.CaFile}", $"certfile {root}/server.crt", $"keyfile {root}/server.key"]);
        }

        await File.WriteAllLinesAsync(Path.Combine(root, "mosquitto.conf"), config, cancellationToken);
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
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
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

    /// <summary>A CA and a server certificate for 127.0.0.1 signed by it; returns the CA file.</summary>
    private static async Task<string> MakeCertificatesAsync(string root, CancellationToken cancellationToken)
    {
        var ca = Path.Combine(root, "ca.crt");
        await File.WriteAllTextAsync(Path.Combine(root, "server.ext"), "subjectAltName=IP:127.0.0.1\n", cancellationToken);
        (await CommandLineTool.RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=SmartStore test CA", "-keyout", $"{root}/ca.key", "-out", ca], cancellationToken: cancellationToken)).EnsureSuccess();
        (await CommandLineTool.RunAsync("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", $"{root}/server.key", "-out", $"{root}/server.csr"], cancellationToken: cancellationToken)).EnsureSuccess();
        (await CommandLineTool.RunAsync("openssl", ["x509", "-req", "-days", "2", "-in", $"{root}/server.csr", "-CA", ca, "-CAkey", $"{root}/ca.key", "-CAcreateserial", "-extfile", $"{root}/server.ext", "-out", $"{root}/server.crt"], cancellationToken: cancellationToken)).EnsureSuccess();
        return ca;
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
                var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken) : string.Empty;
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
