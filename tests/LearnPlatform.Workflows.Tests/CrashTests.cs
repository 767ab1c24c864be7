using LearnPlatform.Workflows.Tests.Infrastructure;
using Npgsql;

namespace LearnPlatform.Workflows.Tests;

/// <summary>Real worker processes, killed with SIGKILL.</summary>
public sealed class CrashTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    [Fact]
    public async Task WorkflowWhoseWorkerIsKilledMidActivityCompletesOnceElsewhereWithoutRepeatingCompletedSteps()
    {
        var registry = TestWorkflows.Register(new WorkflowRegistry(), db.App);
        await using var child = TestHostProcess.Start(db.Database, "worker", "child", "1", "2", "1500");
        await child.WaitUntilReadyAsync();

        var runId = await db.StartAsync(new WorkflowClient(registry), TestWorkflows.ThreeSteps, new TestWorkflows.ThreeStepsInput(HangOnWorkersStartingWith: "child"));
        await Eventually.TrueAsync(async () => await db.EffectsAsync(runId, "two", "start") == 1, what: "the child to start step two");
        await child.KillAsync();
        Assert.Equal(WorkflowStatus.Running, await db.StatusAsync(runId));

        await using var survivor = await RunningWorker.StartAsync(db.App, registry, RunningWorker.Fast("survivor"));

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        var effects = await db.ListAsync<string>(
            "SELECT step || ' ' || phase || ' ' || split_part(worker, '-', 1) FROM test_effects WHERE run_id = $1 ORDER BY at", runId);
        Assert.Equal(["one finish child", "two start child", "two start survivor", "two finish survivor", "three finish survivor"], effects);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT attempt FROM workflow_runs WHERE id = $1", runId));
        Assert.Equal(["one", "three", "two"], await db.ListAsync<string>("SELECT step_id FROM workflow_steps WHERE run_id = $1 ORDER BY step_id", runId));
    }

    [Fact]
    public async Task FourWorkersInTwoProcessesRunEachOfTwoHundredRunsExactlyOnce()
    {
        var registry = TestWorkflows.Register(new WorkflowRegistry(), db.App);
        await using var other = TestHostProcess.Start(db.Database, "worker", "there", "2", "4", "5000");
        await other.WaitUntilReadyAsync();
        await using var first = await RunningWorker.StartAsync(db.App, registry, RunningWorker.Fast("here-1") with { Concurrency = 4 });
        await using var second = await RunningWorker.StartAsync(db.App, registry, RunningWorker.Fast("here-2") with { Concurrency = 4 });

        var client = new WorkflowClient(registry);
        var runs = new List<Guid>();
        await using (var connection = await db.App.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            for (var i = 0; i < 200; i++)
            {
                var start = await client.StartAsync(connection, transaction, TestWorkflows.Record, $"many:{Guid.NewGuid()}", new TestWorkflows.RecordInput(5), tenantId: null);
                runs.Add(start.RunId);
            }
            await transaction.CommitAsync();
        }

        var ids = runs.ToArray();
        await Eventually.TrueAsync(
            async () => await db.ScalarAsync<long>("SELECT count(*) FROM workflow_runs WHERE id = ANY($1) AND status = 'completed'", ids) == 200,
            TimeSpan.FromSeconds(40), "all 200 runs to complete");

        Assert.Equal(200L, await db.ScalarAsync<long>("SELECT count(*) FROM test_effects WHERE run_id = ANY($1) AND phase = 'start'", ids));
        Assert.Equal(200L, await db.ScalarAsync<long>("SELECT count(DISTINCT run_id) FROM test_effects WHERE run_id = ANY($1) AND phase = 'start'", ids));
        Assert.Equal(200L, await db.ScalarAsync<long>("SELECT count(*) FROM test_effects WHERE run_id = ANY($1) AND phase = 'finish'", ids));
        // No run was ever in two workers' hands at once: no two executions of a run overlap in time.
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM test_effects a JOIN test_effects b ON a.run_id = b.run_id AND a.worker <> b.worker
            WHERE a.run_id = ANY($1) AND a.phase = 'start' AND b.phase = 'start'
            """, ids));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM workflow_runs WHERE id = ANY($1) AND attempt <> 1", ids));
        var processes = await db.ListAsync<string>("SELECT DISTINCT split_part(worker, '-', 1) FROM test_effects WHERE run_id = ANY($1) ORDER BY 1", ids);
        Assert.Equal(["here", "there"], processes);
    }
}
