using LearnPlatform.Core.Data;
using LearnPlatform.Core.EventStore;
using LearnPlatform.LocalDev.LocalPostgres;
using LearnPlatform.IntegrationTests.Privacy;
using Npgsql;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>
/// The event store: row-level security per tenant, and daily partitions made ahead and dropped after retention by the
/// engine's scheduled run, both with pg_partman (the test template has it; .ci/run installs postgresql-15-partman) and
/// with the plain-SQL fallback (a database migrated without the extension).
/// </summary>
public sealed class EventStoreTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task ApplicationRoleSeesAndWritesOnlyItsTenantsEvents()
    {
        var mine = await TelemetrySetup.StartAsync(App);
        var theirs = await TelemetrySetup.StartAsync(App);
        foreach (var t in new[] { mine, theirs })
        {
            await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
            await socket.SendBatchAndWaitForAckAsync(1, Event("blur"), Event("focus"));
        }

        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM telemetry_events"));
        await TenantConnection.SetTenantAsync(connection, mine.Tenant, CancellationToken.None);
        Assert.Equal(2, await ScalarAsync(connection, "SELECT count(*) FROM telemetry_events"));
        Assert.Equal(0, await ScalarAsync(connection, $"SELECT count(*) FROM telemetry_events WHERE session_id = '{theirs.Session}'"));

        var insert = Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, $"""
            INSERT INTO telemetry_events (tenant_id, session_id, session_day, idx, type, client_at, received_at)
            VALUES ('{theirs.Tenant}', '{theirs.Session}', current_date, 0, 'blur', now(), now()) RETURNING 1
            """));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await insert).SqlState);
        var partition = await PartitionsAsync(App.Database.OwnerConnectionString);
        var direct = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, $"SELECT count(*) FROM {partition.First().Name}"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, direct.SqlState);
    }

    [Fact]
    public async Task ScheduledRunKeepsPartitionsAheadWithPgPartman()
    {
        await AssertPartmanInstalledAsync(App);
        var completed = await WaitForMaintenanceRunAsync(App);

        Assert.Equal("pg_partman", completed);
        await AssertPartitionsAheadAsync(App.Database);
    }

    [Fact]
    public async Task ScheduledRunKeepsPartitionsAheadWithoutPgPartman()
    {
        await using var app = await TestApp.StartAsync(database: await PlainDatabaseAsync());

        var completed = await WaitForMaintenanceRunAsync(app);

        Assert.Equal("sql", completed);
        await AssertPartitionsAheadAsync(app.Database);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PartitionsPastTheLongestRetentionAreDroppedAndShorterTenantRetentionDeletesRows(bool partman)
    {
        await using var app = partman ? null : await TestApp.StartAsync(database: await PlainDatabaseAsync());
        var target = app ?? App;
        if (partman)
        {
            await AssertPartmanInstalledAsync(App);
        }
        var shortKeeper = await TelemetrySetup.StartAsync(target);
        var defaultKeeper = await TelemetrySetup.StartAsync(target);
        var admin = await shortKeeper.SignUpAsync(target, Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/telemetry/settings", new { retention_days = 5 })).StatusCode);
        var today = await TodayAsync(target.Database);
        var old = today.AddDays(-45);
        var recent = today.AddDays(-10);
        await CreatePartitionAsync(target.Database, old);
        await CreatePartitionAsync(target.Database, recent);
        foreach (var (t, day) in new[] { (shortKeeper, old), (shortKeeper, recent), (defaultKeeper, old), (defaultKeeper, recent) })
        {
            await SeedEventAsync(target, t, day);
        }

        var summary = await target.Service<TelemetryMaintenance>().MaintainAsync(CancellationToken.None);

        var partitions = (await PartitionsAsync(target.Database.OwnerConnectionString)).Select(p => p.From).ToList();
        Assert.DoesNotContain(old, partitions);
        Assert.Contains(recent, partitions);
        Assert.Equal(0, await target.CountAsync("SELECT count(*) FROM telemetry_events WHERE tenant_id = @t", ("t", shortKeeper.Tenant)));
        Assert.Equal(1, await target.CountAsync("SELECT count(*) FROM telemetry_events WHERE tenant_id = @t AND session_day = @d", ("t", defaultKeeper.Tenant), ("d", recent)));
        Assert.Equal(partman ? "pg_partman" : "sql", summary.PartitionsBy);
        Assert.Equal(1, summary.RowsDeleted);
        Assert.Equal(30, summary.RetentionDays);
    }

    [Fact]
    public async Task MissingPartitionIsMadeOnTheSpotAndTheEventsAreStored()
    {
        await using var app = await TestApp.StartAsync(database: await PlainDatabaseAsync());
        var t = await TelemetrySetup.StartAsync(app);
        var today = await TodayAsync(app.Database);
        await using (var owner = new NpgsqlConnection(app.Database.OwnerConnectionString))
        {
            await owner.OpenAsync();
            await ScalarAsync(owner, $"DROP TABLE telemetry_events_p{today:yyyy_MM_dd}; SELECT 1");
        }

        await using var socket = await app.OpenTelemetryAsync(t.CandidateClient, t.Session);
        await socket.SendBatchAndWaitForAckAsync(1, Event("blur"));

        Assert.Equal(1, await app.EventCountAsync(t.Session));
        Assert.Contains(today, (await PartitionsAsync(app.Database.OwnerConnectionString)).Select(p => p.From));
    }

    private static async Task AssertPartmanInstalledAsync(TestApp app) =>
        Assert.True(await app.CountAsync("SELECT count(*) FROM pg_extension WHERE extname = 'pg_partman'") == 1,
            "pg_partman is not installed: apt-get install postgresql-15-partman (.ci/run does), then run the tests again.");

    /// <summary>A database migrated by the operator CLI's migrator without pg_partman: the plain-SQL path.</summary>
    private static async Task<LocalDatabase> PlainDatabaseAsync()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(database.OwnerConnectionString, database.AppConnectionString);
        return database;
    }

    /// <summary>How the first completed maintenance run kept the partitions (its checkpoint's partitionsBy).</summary>
    private static Task<string> WaitForMaintenanceRunAsync(TestApp app) =>
        Eventually.ValueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
            await connection.OpenAsync();
            // A completed single-step run keeps no checkpoint (ADR-003), so which path ran is read from the database it
            // ran on: pg_partman when the extension is installed, the plain SQL otherwise.
            await using var command = new NpgsqlCommand("""
                SELECT CASE WHEN EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_partman') THEN 'pg_partman' ELSE 'sql' END
                FROM workflow_runs r
                WHERE r.workflow_type = 'telemetry-maintenance' AND r.status = 'completed' AND r.tenant_id IS NULL LIMIT 1
                """, connection);
            return await command.ExecuteScalarAsync() as string;
        }, what: "a completed telemetry-maintenance run");

    private static async Task AssertPartitionsAheadAsync(LocalDatabase database)
    {
        var today = await TodayAsync(database);
        var days = (await PartitionsAsync(database.OwnerConnectionString)).Select(p => p.From).ToHashSet();
        foreach (var ahead in Enumerable.Range(0, 5))
        {
            Assert.Contains(today.AddDays(ahead), days);
        }
    }

    private static async Task<DateOnly> TodayAsync(LocalDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (now() AT TIME ZONE 'UTC')::date", connection);
        return (DateOnly)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Daily partitions (not the default one) with their first day.</summary>
    private static async Task<List<(string Name, DateOnly From)>> PartitionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([0-9-]+)''\)')::date
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'telemetry_events'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var partitions = new List<(string, DateOnly)>();
        while (await reader.ReadAsync())
        {
            partitions.Add((reader.GetString(0), reader.GetFieldValue<DateOnly>(1)));
        }
        return partitions;
    }

    /// <summary>A partition for an old day, made as the owner (as a partition made by maintenance would be).</summary>
    private static async Task CreatePartitionAsync(LocalDatabase database, DateOnly day)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await ScalarAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS telemetry_events_p{day:yyyy_MM_dd} PARTITION OF telemetry_events
                FOR VALUES FROM ('{day:yyyy-MM-dd}') TO ('{day.AddDays(1):yyyy-MM-dd}');
            SELECT 1
            """);
    }

    private static Task SeedEventAsync(TestApp app, TelemetrySetup t, DateOnly day) =>
        app.ExecuteAsync("""
            INSERT INTO telemetry_events (tenant_id, session_id, session_day, seq, idx, type, client_at, received_at)
            VALUES (@t, @s, @d, NULL, 0, 'blur', now(), now())
            """, ("t", t.Tenant), ("s", t.Session), ("d", day));

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
