using LearnPlatform.Workflows.Tests.Infrastructure;

namespace LearnPlatform.Workflows.Tests;

public sealed class TimerTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    [Fact]
    public async Task SleepUntilResumesTheRunWithinASecondOfItsDueTimeWithoutWaitingForAPoll()
    {
        var registry = new WorkflowRegistry().Register<DateTimeOffset>("timer.until", async (workflow, due) =>
        {
            await workflow.StepAsync("before", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "finish", ct));
            await workflow.SleepUntilAsync(due);
            await workflow.StepAsync("after", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "finish", ct));
        });
        var options = RunningWorker.Fast() with { PollInterval = TimeSpan.FromSeconds(30), RescueInterval = TimeSpan.FromSeconds(30) };
        await using var worker = await RunningWorker.StartAsync(db.App, registry, options);
        var due = DateTimeOffset.UtcNow.AddSeconds(1.5);

        var runId = await db.StartAsync(new WorkflowClient(registry), "timer.until", due);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed, TimeSpan.FromSeconds(10));
        var resumedAt = await db.ScalarAsync<DateTime>("SELECT at FROM test_effects WHERE run_id = $1 AND step = 'after'", runId);
        var late = new DateTimeOffset(resumedAt, TimeSpan.Zero) - due;
        Assert.InRange(late, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(1, await db.EffectsAsync(runId, "before"));
    }

    [Fact]
    public async Task TimerThatFallsDueWhileNoWorkerRanFiresOnANewWorkerAndEarlierStepsReplayFromCheckpoints()
    {
        var clock = new ManualClock();
        var registry = new WorkflowRegistry().Register<string>("timer.cool-off", async (workflow, _) =>
        {
            await workflow.StepAsync("before", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "finish", ct));
            await workflow.SleepAsync("cool-off", TimeSpan.FromHours(1));
            await workflow.StepAsync("after", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "finish", ct));
        });
        var client = new WorkflowClient(registry, clock);
        var runId = await db.StartAsync(client, "timer.cool-off", "x");

        await using (var first = await RunningWorker.StartAsync(db.App, registry, time: clock))
        {
            await Eventually.TrueAsync(async () => await db.EffectsAsync(runId, "before") == 1 && await db.StatusAsync(runId) == WorkflowStatus.Pending,
                what: "the run to sleep");
        }
        var runAt = await db.ScalarAsync<DateTime>("SELECT run_at FROM workflow_runs WHERE id = $1", runId);
        Assert.Equal(clock.GetUtcNow().AddHours(1), new DateTimeOffset(runAt, TimeSpan.Zero));

        await using var second = await RunningWorker.StartAsync(db.App, registry, time: clock);
        await Task.Delay(500);
        Assert.Equal(WorkflowStatus.Pending, await db.StatusAsync(runId));

        clock.Advance(TimeSpan.FromHours(1));

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed, TimeSpan.FromSeconds(5));
        Assert.Equal(1, await db.EffectsAsync(runId, "before"));
        Assert.Equal(1, await db.EffectsAsync(runId, "after"));
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT attempt FROM workflow_runs WHERE id = $1", runId));
    }
}
