using LearnPlatform.Core.Retention;
using LearnPlatform.IntegrationTests.Privacy;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Retention;

/// <summary>Finished workflow runs after 30 days and counters after their window, on real PostgreSQL.</summary>
public sealed class RunAndCounterRetentionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private DataRetention Retention => App.Service<DataRetention>();

    private async Task<string> RunAsync(string status, int finishedDaysAgo, Guid? tenant = null)
    {
        var key = $"retention-test:{Guid.NewGuid():N}";
        await App.ExecuteAsync("""
            INSERT INTO workflow_runs (id, tenant_id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, created_at, updated_at, completed_at)
            VALUES (gen_random_uuid(), @t, 'retention-test', @k, '{}', @s, now(), 1, 1, now() - interval '400 days', now(),
                    CASE WHEN @s = 'failed' THEN NULL ELSE now() - make_interval(days => @d) END)
            """, ("t", (object?)tenant ?? DBNull.Value), ("k", key), ("s", status), ("d", finishedDaysAgo));
        await App.ExecuteAsync("""
            INSERT INTO workflow_steps (run_id, step_id, tenant_id, result, completed_at)
            SELECT id, 'step', tenant_id, '{}', now() FROM workflow_runs WHERE workflow_key = @k
            """, ("k", key));
        return key;
    }

    private Task<long> RunsAsync(string key) => App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k", ("k", key));

    [Fact]
    public async Task CompletedAndCancelledRunsGoThirtyDaysAfterTheyFinishedAndParkedOnesStay()
    {
        var tenant = await App.CreateTenantAsync();
        var completed = await RunAsync("completed", 31, tenant);
        var cancelled = await RunAsync("cancelled", 31);
        var recent = await RunAsync("completed", 29, tenant);
        var parked = await RunAsync("failed", 0, tenant);
        await App.ExecuteAsync("UPDATE workflow_runs SET updated_at = now() - interval '300 days' WHERE workflow_key = @k", ("k", parked));

        await Retention.PurgeFinishedRunsAsync(CancellationToken.None);

        Assert.Equal((0L, 0L), (await RunsAsync(completed), await RunsAsync(cancelled)));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id WHERE r.workflow_key = @k", ("k", completed)));
        Assert.Equal((1L, 1L), (await RunsAsync(recent), await RunsAsync(parked)));
    }

    [Fact]
    public async Task CountersGoWhenTheirWindowHasEnded()
    {
        var tenant = await App.CreateTenantAsync();
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await App.ExecuteAsync($"""
            INSERT INTO ai_usage_counters (tenant_id, scope, subject, kind, n, updated_at) VALUES
                (@t, 'author:{yesterday}:author-1', 'author-1', 'total', 3, now() - interval '2 days'),
                (@t, 'author:{today}:author-1', 'author-1', 'total', 1, now() - interval '2 days');
            INSERT INTO rate_limit_counters (key, window_start, expires_at, count) VALUES
                (sha256(convert_to(@t::text || 'expired', 'UTF8')), now() - interval '2 minutes', now() - interval '1 minute', 5),
                (sha256(convert_to(@t::text || 'live', 'UTF8')), now(), now() + interval '1 minute', 5);
            INSERT INTO ai_monthly_spend (tenant_id, month, usd, calls, input_tokens, output_tokens, updated_at) VALUES
                (@t, date_trunc('month', now() AT TIME ZONE 'UTC')::date - interval '2 months', 1, 1, 1, 1, now()),
                (@t, date_trunc('month', now() AT TIME ZONE 'UTC')::date - interval '1 month', 1, 1, 1, 1, now()),
                (@t, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 1, 1, 1, 1, now());
            """, ("t", tenant));

        await Retention.PurgeCountersAsync(CancellationToken.None);

        Assert.Equal([$"author:{today}:author-1"], await ScopesAsync(tenant));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM rate_limit_counters WHERE key = sha256(convert_to(@t::text || 'expired', 'UTF8'))", ("t", tenant.ToString())));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM rate_limit_counters WHERE key = sha256(convert_to(@t::text || 'live', 'UTF8'))", ("t", tenant.ToString())));
        // The month before is kept to reconcile with the invoice; the one before that is gone.
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM ai_monthly_spend WHERE tenant_id = @t", ("t", tenant)));
    }

    private async Task<List<string>> ScopesAsync(Guid tenant)
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT scope FROM ai_usage_counters WHERE tenant_id = @t ORDER BY scope", connection);
        command.Parameters.AddWithValue("t", tenant);
        var scopes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            scopes.Add(reader.GetString(0));
        }
        return scopes;
    }

    [Theory]
    [InlineData("SELECT * FROM retention_purge_sessions(29, 30, 100)")]
    [InlineData("SELECT * FROM retention_purge_sessions(365, 0, 100)")]
    [InlineData("SELECT * FROM retention_purge_sessions(365, 30, 0)")]
    [InlineData("SELECT workflow_purge_finished(now() - interval '1 hour', 100)")]
    [InlineData("SELECT workflow_purge_finished(now() - interval '30 days', 0)")]
    [InlineData("SELECT retention_purge_counters(0)")]
    public async Task ThePurgeFunctionsRefuseTheApplicationRoleBadArguments(string sql)
    {
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
    }

    [Fact]
    public async Task TheScheduledRunPurgesWhenTheApiStarts()
    {
        var old = await RunAsync("completed", 45);
        // The fixture's app already ran this hour's slot; forgetting that run lets a start begin the slot again.
        await App.ExecuteAsync("DELETE FROM workflow_runs WHERE workflow_type = 'data-retention'");

        // Another app over the same database: its schedule starts the current slot's run at start.
        await using var restarted = await TestApp.StartAsync(s => s["ConnectionStrings:Postgres"] = App.Database.AppConnectionString);

        await Eventually.TrueAsync(async () => await RunsAsync(old) == 0, TimeSpan.FromSeconds(60), "the scheduled data-retention run");
        await Eventually.TrueAsync(async () => await App.CountAsync(
            "SELECT count(*) FROM workflow_runs WHERE workflow_type = 'data-retention' AND status = 'completed' AND workflow_key LIKE 'data-retention:%'") == 1);
    }
}
