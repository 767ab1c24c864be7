using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;

namespace LearnPlatform.Testing;

/// <summary>
/// One PostgreSQL server per test run: a private cluster started from the machine's binaries in a temp
/// folder, or the server named by LEARNPLATFORM_TEST_POSTGRES (a superuser connection string).
/// Migrations run once into a template; each test class gets its own database copied from it.
/// </summary>
public sealed class TestPostgres
{
    private static readonly Lazy<Task<TestPostgres>> Shared = new(StartAsync);
    private static int databaseCounter;

    private readonly PostgresProvisioner provisioner;
    private readonly string template;

    // Held for the whole run: when it is collected, its lifeline stops the server.
    private readonly LocalPostgresCluster? cluster;

    private TestPostgres(PostgresProvisioner provisioner, string template, LocalPostgresCluster? cluster)
    {
        this.provisioner = provisioner;
        this.template = template;
        this.cluster = cluster;
    }

    public static Task<TestPostgres> InstanceAsync() => Shared.Value;

    public Task<LocalDatabase> CreateDatabaseAsync() =>
        provisioner.EnsureDatabaseAsync($"test_{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}", template);

    /// <summary>A database with no migrations applied, for the migrate command and readiness tests.</summary>
    public Task<LocalDatabase> CreateEmptyDatabaseAsync() =>
        provisioner.EnsureDatabaseAsync($"empty_{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}");

    private static async Task<TestPostgres> StartAsync()
    {
        PostgresProvisioner provisioner;
        LocalPostgresCluster? cluster = null;
        var external = Environment.GetEnvironmentVariable("LEARNPLATFORM_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var credentials = LocalCredentials.LoadOrCreate(Path.Combine(Path.GetTempPath(), "learnplatform-test-credentials.json"));
            provisioner = new PostgresProvisioner(external, credentials);
        }
        else
        {
            var root = Directory.CreateTempSubdirectory("learnplatform-test-pg-").FullName;
            // Not durable: the cluster stops and its folder goes when the test process ends, however it ends.
            cluster = await LocalPostgresCluster.StartAsync(root, durable: false);
            provisioner = cluster.Provisioner;
        }

        await provisioner.EnsureRolesAsync();
        var template = await provisioner.EnsureDatabaseAsync($"template_{Environment.ProcessId}");
        // pg_partman keeps the event partitions when the server has it (.ci/run installs it); the partition tests cover
        // the plain-SQL path on a database without it.
        await provisioner.EnsurePartmanAsync(template);
        // The migrator disposes its data source, so no connection to the template remains to block copies.
        await DatabaseMigrator.MigrateAsync(template.OwnerConnectionString, template.AppConnectionString);
        return new TestPostgres(provisioner, template.Name, cluster);
    }
}

public static class FreePort
{
    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int Next()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
