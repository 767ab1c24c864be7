using LearnPlatform.Core.Audit;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>Retention on real PostgreSQL: through the SECURITY DEFINER function, in batches, one replica at a time.</summary>
public sealed class AuditRetentionTests
{
    private static Task<TestApp> StartAsync(int batchSize = 5000) =>
        TestApp.StartAsync(s => s["Audit:PurgeBatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task RowsPastNinetyDaysArePurgedAndYoungerOnesKeptInEveryTenant()
    {
        await using var app = await StartAsync(batchSize: 2);
        var now = DateTimeOffset.UtcNow;
        var tenants = new[] { await app.CreateTenantAsync(), await app.CreateTenantAsync() };
        foreach (var tenant in tenants)
        {
            for (var i = 0; i < 3; i++)
            {
                await app.InsertAuditAsync(tenant, now.AddDays(-91).AddMinutes(-i), resource: "old");
                await app.InsertAuditAsync(tenant, now.AddDays(-89).AddMinutes(-i), resource: "young");
            }
        }
        await app.InsertAuditAsync(null, now.AddDays(-120), action: "auth.sign_in_failed", resource: "old");

        var purged = await app.Service<AuditRetention>().PurgeAsync(CancellationToken.None);

        Assert.Equal(7, purged);
        var left = await app.AuditRowsAsync("actor = 'tester'");
        Assert.Equal(6, left.Count);
        Assert.All(left, r => Assert.Equal("young", r.Resource));
    }

    private static async Task SetFloorAsOwnerAsync(TestApp app, int days)
    {
        await using var owner = new NpgsqlConnection(app.Database.OwnerConnectionString);
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE audit_retention_floor SET min_days = @d, updated_at = now()", owner);
        command.Parameters.AddWithValue("d", days);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task RetentionDaysIsConfigurableDownToTheFloorTheOwnerSet()
    {
        await using var app = await TestApp.StartAsync(s => s["Audit:RetentionDays"] = "30");
        await SetFloorAsOwnerAsync(app, 30);
        var tenant = await app.CreateTenantAsync();
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-31), resource: "old");
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-29), resource: "young");

        Assert.Equal(1, await app.Service<AuditRetention>().PurgeAsync(CancellationToken.None));
        Assert.Equal(["young"], (await app.AuditRowsAsync("tenant_id = @t", ("t", tenant))).Select(r => r.Resource));
    }

    [Fact]
    public async Task AConfiguredRetentionBelowTheFloorKeepsEventsForTheFloor()
    {
        await using var app = await TestApp.StartAsync(s => s["Audit:RetentionDays"] = "30");
        var tenant = await app.CreateTenantAsync();
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-40), resource: "inside-the-floor");
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-91), resource: "past-the-floor");

        Assert.Equal(1, await app.Service<AuditRetention>().PurgeAsync(CancellationToken.None));

        Assert.Equal(["inside-the-floor"], (await app.AuditRowsAsync("tenant_id = @t", ("t", tenant))).Select(r => r.Resource));
        Assert.Contains(app.Logs.Lines, l => l.Contains("below the database's floor of 90 days", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReplicaThatFindsThePurgeLockHeldSkipsAndDeletesNothing()
    {
        await using var app = await StartAsync();
        var tenant = await app.CreateTenantAsync();
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-200));
        await using var other = new NpgsqlConnection(app.Database.AppConnectionString);
        await other.OpenAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({AuditRetention.LockKey})", other))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var skipped = await app.Service<AuditRetention>().PurgeAsync(CancellationToken.None);

        Assert.Null(skipped);
        Assert.Single(await app.AuditRowsAsync("tenant_id = @t", ("t", tenant)));
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AuditRetention.LockKey})", other))
        {
            await release.ExecuteNonQueryAsync();
        }
        Assert.Equal(1, await app.Service<AuditRetention>().PurgeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TheScheduledJobPurgesWhenTheApiStarts()
    {
        var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync();
        await app.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-100));
        await app.DisposeAsync();

        // A second app over the same database: its job runs once at start, then every PurgeInterval.
        await using var restarted = await TestApp.StartAsync(s => s["ConnectionStrings:Postgres"] = app.Database.AppConnectionString);

        await Eventually.TrueAsync(async () => (await app.AuditRowsAsync("tenant_id = @t", ("t", tenant))).Count == 0);
        Assert.Contains(restarted.Logs.Lines, l => l.Contains("Purged 1 audit events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithBackgroundWorkOffTheApiRunsNoPurgeJob()
    {
        await using var app = await TestApp.StartAsync(s => s["Background:RunInApi"] = "false");

        Assert.Null(app.Services.GetService(typeof(AuditRetention)));
    }

}
