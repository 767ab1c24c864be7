using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LearnPlatform.LocalDev.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries, listening on loopback only,
/// with password authentication and two roles: the owner (runs migrations) and the application role
/// (neither owner nor superuser nor BYPASSRLS). Used by the local run and by the test fixture.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private readonly string binDirectory;
    private readonly string dataDirectory;
    private readonly LocalCredentials credentials;
    private Lifeline? lifeline;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, LocalCredentials credentials, int port)
    {
        this.binDirectory = binDirectory;
        this.dataDirectory = dataDirectory;
        this.credentials = credentials;
        Port = port;
    }

    public int Port { get; }

    public string LogFile => Path.Combine(Path.GetDirectoryName(dataDirectory)!, "postgres.log");

    /// <summary>Creates the cluster under <paramref name="root"/> if it is not there, and starts it on a free loopback port.</summary>
    /// <param name="durable">false for throw-away test clusters: no fsync, and the folder is deleted when the cluster stops.</param>
    public static async Task<LocalPostgresCluster> StartAsync(string root, bool durable, CancellationToken ct = default)
    {
        var binDirectory = PostgresBinaries.FindBinDirectory();
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        var dataDirectory = Path.Combine(root, "data");
        var credentials = LocalCredentials.LoadOrCreate(Path.Combine(root, "credentials.json"));

        if (ProcessRunner.RunsAsRoot)
        {
            await ProcessRunner.RunAsync("chown", ["postgres:postgres", root], ct, asPostgresUser: false);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitializeAsync(binDirectory, root, dataDirectory, credentials, durable, ct);
        }

        var cluster = new LocalPostgresCluster(binDirectory, dataDirectory, credentials, FreeLoopbackPort());
        await cluster.StartServerAsync(ct);
        cluster.lifeline = cluster.StopWhenThisProcessEnds(durable ? null : root);
        await cluster.Provisioner.EnsureRolesAsync(ct);
        return cluster;
    }

    private static async Task InitializeAsync(string binDirectory, string root, string dataDirectory, LocalCredentials credentials, bool durable, CancellationToken ct)
    {
        var passwordFile = Path.Combine(root, "initdb.pw");
        await File.WriteAllTextAsync(passwordFile, credentials.SuperuserPassword, ct);
        try
        {
            if (ProcessRunner.RunsAsRoot)
            {
                await ProcessRunner.RunAsync("chown", ["postgres:postgres", passwordFile], ct, asPostgresUser: false);
            }
            await ProcessRunner.RunAsync(Path.Combine(binDirectory, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C", "--no-sync"], ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var settings = new List<string>
        {
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 300",
            "shared_buffers = 128MB",
        };
        if (!durable)
        {
            // Test clusters are thrown away; durability would only cost time.
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        }
        var configuration = Path.Combine(dataDirectory, "postgresql.conf");
        await File.AppendAllLinesAsync(configuration, settings, ct);
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var pgCtl = Path.Combine(binDirectory, "pg_ctl");
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            // Left running by a run that was killed: stop it so this run owns the server it uses.
            try
            {
                await ProcessRunner.RunAsync(pgCtl, ["stop", "-D", dataDirectory, "-m", "fast", "-w"], ct);
            }
            catch (LocalPostgresException)
            {
                // Not running after all (a stale pid file); pg_ctl start handles that.
            }
        }

        await ProcessRunner.RunAsync(pgCtl,
            ["start", "-D", dataDirectory, "-w", "-t", "60", "-l", LogFile, "-o", $"-p {Port}"], ct);
    }

    /// <summary>Creates roles and databases on this cluster.</summary>
    public PostgresProvisioner Provisioner =>
        new(ConnectionString("postgres", "postgres", credentials.SuperuserPassword, pooling: false), credentials);

    private string ConnectionString(string database, string user, string password, bool pooling = true) =>
        PostgresProvisioner.ConnectionString("127.0.0.1", Port, database, user, password, pooling);

    /// <summary>Stops the server (and deletes a throw-away cluster's folder) when this process ends, even if it is killed.</summary>
    private Lifeline StopWhenThisProcessEnds(string? deleteRoot)
    {
        var pgCtl = Path.Combine(binDirectory, "pg_ctl");
        var stop = ProcessRunner.RunsAsRoot
            ? "runuser -u postgres -- \"$1\" stop -D \"$2\" -m fast -w >/dev/null 2>&1"
            : "\"$1\" stop -D \"$2\" -m fast -w >/dev/null 2>&1";
        return deleteRoot is null
            ? Lifeline.Start(stop, pgCtl, dataDirectory)
            : Lifeline.Start(stop + "; rm -rf \"$3\"", pgCtl, dataDirectory, deleteRoot);
    }

    public Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        lifeline?.Dispose();
        lifeline = null;
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
