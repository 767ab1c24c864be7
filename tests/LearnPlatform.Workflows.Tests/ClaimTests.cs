using LearnPlatform.Workflows.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Workflows.Tests;

/// <summary>The claim statement: its plan, and the worker's own connection it runs on.</summary>
public sealed class ClaimTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private async Task<List<string>> ClaimPlanAsync(string engineOn)
    {
        await using var connection = await db.App.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(engineOn + "EXPLAIN " + WorkflowStore.ClaimDueSql, connection);
        command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
        command.Parameters.AddWithValue("worker", "plan-worker");
        command.Parameters.AddWithValue("lease", TimeSpan.FromSeconds(30));
        command.Parameters.AddWithValue("types", new[] { "claim.plan" });
        command.Parameters.AddWithValue("limit", NpgsqlDbType.Integer, 8);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }
        return plan;
    }

    [Fact]
    public async Task AClaimReadsDueRunsInIndexOrderEvenWhenTheStatisticsDoNotKnowTheQueue()
    {
        // A burst of starts that autovacuum has not analyzed yet (it never will here): the planner believes a handful
        // of runs are pending, and left to itself sorts every one of them at every claim.
        await using (var setup = db.Superuser.CreateCommand("""
            ALTER TABLE workflow_runs SET (autovacuum_enabled = false);
            INSERT INTO workflow_runs (id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, created_at, updated_at)
            SELECT gen_random_uuid(), 'claim.plan', 'claim.plan:' || i, '0', 'pending', now() - interval '1 hour' + i * interval '1 ms', 1, 25, now(), now()
            FROM generate_series(1, 3000) AS i;
            """))
        {
            await setup.ExecuteNonQueryAsync();
        }
        var unguided = string.Join('\n', await ClaimPlanAsync(EngineSql.EngineOnLeaseBookkeeping));
        Assert.Contains("Sort", unguided, StringComparison.Ordinal);

        var plan = string.Join('\n', await ClaimPlanAsync(EngineSql.EngineOnClaiming));

        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Bitmap", plan, StringComparison.Ordinal);
        Assert.Contains("Index Scan using ix_workflow_runs_status_run_at", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerWhoseClaimConnectionIsKilledOpensAnotherAndGoesOnClaiming()
    {
        var registry = new WorkflowRegistry().Register<int>("claim.reconnect", async (workflow, n) =>
            await workflow.StepAsync("only", (_, _) => Task.FromResult(n)));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);
        var client = new WorkflowClient(registry);
        await db.WaitForStatusAsync(await db.StartAsync(client, "claim.reconnect", 1), WorkflowStatus.Completed);

        // The claim connection is the only one whose last statement is the claim's last (when the next run is due).
        Assert.Equal(1L, await db.ScalarAsync<long>("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND query LIKE 'SELECT min(run_at) FROM workflow_runs WHERE status = ''pending''%'
            """));

        var afterwards = await db.StartAsync(client, "claim.reconnect", 2);
        await db.WaitForStatusAsync(afterwards, WorkflowStatus.Completed);
    }
}
