using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SmartStore.Testing;

/// <summary>
/// A PostgreSQL cluster that lives only as long as a test run: initdb into a temporary directory, start on a
/// free loopback port, stop and delete on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "smartstore";
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asPostgresUser;
    private int _databases;

    private string _settings = string.Empty;

    private PostgresServer(string bin, string root, int port, bool asPostgresUser)
    {
        _bin = bin;
        _root = root;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <param name="durable">fsync on (benchmarks) or off (tests: faster, and a test run never survives a power cut anyway).</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var bin = Environment.GetEnvironmentVariable("SMARTSTORE_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        if (!File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL binaries not found in '{bin}'. Install the Debian package postgresql-15 (./smartstore test does) or set SMARTSTORE_PG_BIN.");
        }

        var root = Directory.CreateTempSubdirectory("smartstore-pg-").FullName;
        var asPostgres = Environment.IsPrivilegedProcess;
        var server = new PostgresServer(bin, root, FreePort(), asPostgres);
        try
        {
            if (asPostgres)
            {
                await server.RunAsync("chown", ["-R", "postgres:postgres", root], asPostgresUser: false, cancellationToken);
            }

            await server.RunAsync(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asPostgres, cancellationToken);
            server._settings = $"-p {server.Port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c fsync={(durable ? "on" : "off")} -c synchronous_commit={(durable ? "on" : "off")} -c full_page_writes={(durable ? "on" : "off")}";
            await server.StartAgainAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = SuperUser, Database = database, Pooling = true, MaxPoolSize = 100, Timeout = 30, CommandTimeout = 60 }.ToString();

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        var safePrefix = new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        var name = $"{safePrefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Starts the server (again, after <see cref="KillAsync"/>) on the same port and data.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-o", _settings, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"], _asPostgresUser, cancellationToken);

    /// <summary>Stops the server at once (like a crash), keeping its data, for failure tests.</summary>
    public Task KillAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _asPostgresUser, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the directory goes either way.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test run for.
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgresUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgresUser)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "server.log");
            var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : string.Empty;
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}{serverLog}");
        }
    }
}
