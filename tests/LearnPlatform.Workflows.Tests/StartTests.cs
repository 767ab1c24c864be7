using System.Diagnostics;
using LearnPlatform.Workflows.Tests.Infrastructure;

namespace LearnPlatform.Workflows.Tests;

public sealed class StartTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private WorkflowRegistry Registry() => TestWorkflows.Register(new WorkflowRegistry(), db.App);

    [Fact]
    public async Task StartingTheSameKeyTwiceReturnsTheFirstRunAndRunsItOnce()
    {
        var client = new WorkflowClient(Registry());
        var key = $"grade:{Guid.NewGuid()}";
        await using var connection = await db.App.OpenConnectionAsync();

        var first = await client.StartAsync(connection, null, TestWorkflows.Record, key, new TestWorkflows.RecordInput(1), tenantId: null);
        var second = await client.StartAsync(connection, null, TestWorkflows.Record, key, new TestWorkflows.RecordInput(999), tenantId: null);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM workflow_runs WHERE workflow_key = $1", key));

        await using var worker = await RunningWorker.StartAsync(db.App, Registry());
        await db.WaitForStatusAsync(first.RunId, WorkflowStatus.Completed);
        Assert.Equal(1, await db.EffectsAsync(first.RunId, "work", "start"));
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT (input->>'workMilliseconds')::int FROM workflow_runs WHERE id = $1", first.RunId));
    }

    [Fact]
    public async Task RunStartedInARolledBackTransactionNeverExistsOrRuns()
    {
        var registry = Registry();
        await using var worker = await RunningWorker.StartAsync(db.App, registry);
        var key = $"rolled-back:{Guid.NewGuid()}";

        Guid rolledBack;
        await using (var connection = await db.App.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var start = await new WorkflowClient(registry).StartAsync(connection, transaction, TestWorkflows.Record, key, new TestWorkflows.RecordInput(1), tenantId: null);
            Assert.True(start.Created);
            rolledBack = start.RunId;
            await transaction.RollbackAsync();
        }
        var committed = await db.StartAsync(new WorkflowClient(registry), TestWorkflows.Record, new TestWorkflows.RecordInput(1));

        // The worker was woken (by the committed run) and has claimed everything due by the time that one completed.
        await db.WaitForStatusAsync(committed, WorkflowStatus.Completed);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM workflow_runs WHERE workflow_key = $1 OR id = $2", key, rolledBack));
        Assert.Equal(0, await db.EffectsAsync(rolledBack));
    }

    [Fact]
    public async Task RunCommittedByAProcessThatDiesAtOnceStillRuns()
    {
        var key = $"enqueue-then-die:{Guid.NewGuid()}";
        await using (var host = TestHostProcess.Start(db.Database, "enqueue-then-die", key))
        {
            var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.True(exitCode == 137, $"the host should have killed itself (SIGKILL, exit 137), exit {exitCode}:\n{host.Output}");
        }
        var runId = await db.ScalarAsync<Guid>("SELECT id FROM workflow_runs WHERE workflow_key = $1", key);
        Assert.Equal(WorkflowStatus.Pending, await db.StatusAsync(runId));

        await using var worker = await RunningWorker.StartAsync(db.App, Registry());

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Equal(1, await db.EffectsAsync(runId, "three", "finish"));
    }

    [Fact]
    public async Task StartingAnUnregisteredTypeFailsBeforeWritingAnything()
    {
        await using var connection = await db.App.OpenConnectionAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            new WorkflowClient(Registry()).StartAsync(connection, null, "no.such.type", "k", new { }, tenantId: null));
    }

    [Fact]
    public async Task NotificationStartsAnIdleWorkersRunWellWithinThePollingInterval()
    {
        var poll = TimeSpan.FromSeconds(10);
        var started = new List<TaskCompletionSource>();
        var registry = new WorkflowRegistry().Register<int>("latency.probe", async (workflow, index) =>
            await workflow.StepAsync("signal", (_, _) =>
            {
                started[index].TrySetResult();
                return Task.CompletedTask;
            }));
        var options = RunningWorker.Fast() with { PollInterval = poll, RescueInterval = TimeSpan.FromSeconds(60) };
        await using var worker = await RunningWorker.StartAsync(db.App, registry, options);
        var client = new WorkflowClient(registry);

        for (var i = 0; i < 3; i++)
        {
            started.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            await Task.Delay(300); // idle: the worker is waiting for its next poll, seconds away
            var clock = Stopwatch.StartNew();
            await db.StartAsync(client, "latency.probe", i);
            await started[i].Task.WaitAsync(poll);
            Assert.True(clock.Elapsed < poll / 2, $"run {i} started {clock.ElapsedMilliseconds} ms after it was committed");
        }
    }

    [Fact]
    public async Task OnlyRunsDueWithinTheLongestPollWakeTheWorkers()
    {
        var client = new WorkflowClient(Registry());
        await using var listener = await db.App.OpenConnectionAsync();
        var notified = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref notified);
        await using (var listen = new Npgsql.NpgsqlCommand("LISTEN learnplatform_workflows", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await db.StartAsync(client, TestWorkflows.Record, new TestWorkflows.RecordInput(1), runAt: DateTimeOffset.UtcNow + WorkflowWorkerOptions.MaxPollInterval + TimeSpan.FromMinutes(1));
        await listener.WaitAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, notified);

        await db.StartAsync(client, TestWorkflows.Record, new TestWorkflows.RecordInput(2), runAt: DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30));
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, notified);
    }

    [Fact]
    public void AWorkerPollingLessOftenThanTheLongestPollIsRefused()
    {
        var options = RunningWorker.Fast() with { PollInterval = WorkflowWorkerOptions.MaxPollInterval + TimeSpan.FromSeconds(1) };

        var refused = Assert.Throws<ArgumentException>(() => new WorkflowWorker(db.App, Registry(), options));
        Assert.Contains("PollInterval", refused.Message, StringComparison.Ordinal);
    }
}
