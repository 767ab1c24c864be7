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
}
