using LearnPlatform.Workflows.Tests.Infrastructure;

namespace LearnPlatform.Workflows.Tests;

/// <summary>A step's result is written before the run goes on, and only then: a completed run's last step never needs it.</summary>
public sealed class CheckpointTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private Task<List<string>> StepsAsync(Guid runId) =>
        db.ListAsync<string>("SELECT step_id FROM workflow_steps WHERE run_id = $1 ORDER BY completed_at, step_id", runId);

    [Fact]
    public async Task ARunWhoseOnlyStepCompletesItWritesNoCheckpoint()
    {
        var registry = new WorkflowRegistry().Register<int>("checkpoint.single", async (workflow, n) =>
            await workflow.StepAsync("only", (_, _) => Task.FromResult(n)));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "checkpoint.single", 7);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Empty(await StepsAsync(runId));
    }

    [Fact]
    public async Task EveryStepButTheLastOfACompletedRunIsCheckpointed()
    {
        var registry = new WorkflowRegistry().Register<int>("checkpoint.three", async (workflow, n) =>
        {
            var a = await workflow.StepAsync("a", (_, _) => Task.FromResult(n + 1));
            var b = await workflow.StepAsync("b", (_, _) => Task.FromResult(a + 1));
            await workflow.StepAsync("c", (_, _) => Task.FromResult(b + 1));
        });
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "checkpoint.three", 1);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Equal(["a", "b"], await StepsAsync(runId));
        Assert.Equal(3, await db.ScalarAsync<int>("SELECT (result #>> '{}')::int FROM workflow_steps WHERE run_id = $1 AND step_id = 'b'", runId));
    }

    [Fact]
    public async Task AStepFollowedByAFailureOutsideAnyStepIsCheckpointedBeforeTheRetryAndNotRunAgain()
    {
        var registry = TestWorkflows.Register(new WorkflowRegistry(), db.App).Register<int>("checkpoint.fails-after", async (workflow, _) =>
        {
            await workflow.StepAsync("record", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "finish", ct));
            if (workflow.Attempt == 1)
            {
                throw new InvalidOperationException("workflow code failed after its step");
            }
        }, new WorkflowOptions { Retry = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(50), MaximumInterval = TimeSpan.FromMilliseconds(50) } });
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "checkpoint.fails-after", 0);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT attempt FROM workflow_runs WHERE id = $1", runId));
        Assert.Equal(1, await db.EffectsAsync(runId, "record"));
        Assert.Equal(["record"], await StepsAsync(runId));
    }

    [Fact]
    public async Task ACheckpointWaitsForACancelStillInFlightAndIsNotWrittenAfterIt()
    {
        var inFirstStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var mayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reachedSecond = false;
        var registry = new WorkflowRegistry().Register<int>("checkpoint.cancelled-meanwhile", async (workflow, _) =>
        {
            await workflow.StepAsync("first", async (_, _) =>
            {
                inFirstStep.TrySetResult();
                await mayFinish.Task;
                return "SECRET-RESULT";
            });
            await workflow.StepAsync("second", (_, _) =>
            {
                reachedSecond = true;
                return Task.FromResult(0);
            });
        });
        // Rare heartbeats: the checkpoint's own fence is what is tested, not a heartbeat noticing the cancel.
        var options = RunningWorker.Fast() with { LeaseDuration = TimeSpan.FromMinutes(10), HeartbeatInterval = TimeSpan.FromMinutes(5) };
        await using var worker = await RunningWorker.StartAsync(db.App, registry, options);
        var runId = await db.StartAsync(new WorkflowClient(registry), "checkpoint.cancelled-meanwhile", 0);
        await inFirstStep.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // A cancel inside a longer transaction (an erasure's), not committed yet when the step ends.
        await using var connection = await db.Superuser.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var cancel = new Npgsql.NpgsqlCommand(
            "UPDATE workflow_runs SET status = 'cancelled', completed_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE id = $1",
            connection, transaction))
        {
            cancel.Parameters.Add(new Npgsql.NpgsqlParameter { Value = runId });
            Assert.Equal(1, await cancel.ExecuteNonQueryAsync());
        }
        mayFinish.SetResult();
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO workflow_steps%'") > 0
            || (await StepsAsync(runId)).Count > 0, what: "the checkpoint to wait for the cancel (or, unfenced, to be written)");
        await transaction.CommitAsync();

        await Eventually.TrueAsync(() => Task.FromResult(worker.Worker.RunsInFlight == 0), what: "the worker to let the run go");
        Assert.Empty(await StepsAsync(runId));
        Assert.False(reachedSecond);
        Assert.Equal(WorkflowStatus.Cancelled, await db.StatusAsync(runId));
    }
}
