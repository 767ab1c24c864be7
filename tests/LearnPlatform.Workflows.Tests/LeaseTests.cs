using System.Diagnostics;
using LearnPlatform.Workflows.Tests.Infrastructure;

namespace LearnPlatform.Workflows.Tests;

public sealed class LeaseTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private async Task<Guid> SeedRunningAsync(string type, int attempt, int maxAttempts, string leaseOwner, TimeSpan leaseLeft)
    {
        var id = Guid.CreateVersion7();
        await using var command = db.Superuser.CreateCommand("""
            INSERT INTO workflow_runs (id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts,
                                       lease_owner, lease_expires_at, created_at, updated_at)
            VALUES ($1, $2, $1::text, '{"workMilliseconds": 1}', 'running', now() - interval '1 hour', $3, $4, $5, now() + $6, now(), now())
            """);
        foreach (var value in new object[] { id, type, attempt, maxAttempts, leaseOwner, leaseLeft })
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        }
        await command.ExecuteNonQueryAsync();
        return id;
    }

    [Fact]
    public async Task RunsWhoseLeaseExpiredAreRescuedAndRunAgainWhileLiveLeasesAreLeftAlone()
    {
        var expired = await SeedRunningAsync(TestWorkflows.Record, attempt: 1, maxAttempts: 5, "crashed-worker#1", TimeSpan.FromMinutes(-1));
        var exhausted = await SeedRunningAsync(TestWorkflows.Record, attempt: 3, maxAttempts: 3, "crashed-worker#2", TimeSpan.FromSeconds(-5));
        var live = await SeedRunningAsync(TestWorkflows.Record, attempt: 1, maxAttempts: 5, "busy-worker#3", TimeSpan.FromMinutes(10));

        await using var worker = await RunningWorker.StartAsync(db.App, TestWorkflows.Register(new WorkflowRegistry(), db.App));

        await db.WaitForStatusAsync(expired, WorkflowStatus.Completed);
        await db.WaitForStatusAsync(exhausted, WorkflowStatus.Failed);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT attempt FROM test_effects WHERE run_id = $1 AND phase = 'start'", expired));
        Assert.Equal(0, await db.EffectsAsync(exhausted));
        Assert.StartsWith("lease expired", await db.ScalarAsync<string>("SELECT last_error FROM workflow_runs WHERE id = $1", exhausted), StringComparison.Ordinal);
        Assert.Equal(WorkflowStatus.Running, await db.StatusAsync(live));
        Assert.Equal("busy-worker#3", await db.ScalarAsync<string>("SELECT lease_owner FROM workflow_runs WHERE id = $1", live));
        Assert.Equal(0, await db.EffectsAsync(live));
    }

    [Fact]
    public async Task HeartbeatsKeepARunLongerThanItsLeaseFromBeingRescuedByAnotherWorker()
    {
        var executions = 0;
        var registry = new WorkflowRegistry().Register<string>("lease.long", async (workflow, _) =>
            await workflow.StepAsync("long", async (_, ct) =>
            {
                Interlocked.Increment(ref executions);
                await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
            }));
        var options = RunningWorker.Fast() with { LeaseDuration = TimeSpan.FromSeconds(1), HeartbeatInterval = TimeSpan.FromMilliseconds(250), RescueInterval = TimeSpan.FromMilliseconds(100) };
        await using var first = await RunningWorker.StartAsync(db.App, registry, options);
        await using var second = await RunningWorker.StartAsync(db.App, registry, options);

        var runId = await db.StartAsync(new WorkflowClient(registry), "lease.long", "x");

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Equal(1, executions);
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT attempt FROM workflow_runs WHERE id = $1", runId));
    }

    [Fact]
    public async Task CancellingARunningRunStopsItsActivityAndTheRunNeverCompletes()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var registry = new WorkflowRegistry().Register<string>("lease.cancellable", async (workflow, _) =>
        {
            await workflow.StepAsync("wait", async (_, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), ct);
                }
                catch (OperationCanceledException)
                {
                    stopped.TrySetResult();
                    throw;
                }
            });
            finished = true;
        });
        var options = RunningWorker.Fast() with { LeaseDuration = TimeSpan.FromSeconds(1), HeartbeatInterval = TimeSpan.FromMilliseconds(200) };
        await using var worker = await RunningWorker.StartAsync(db.App, registry, options);
        var runId = await db.StartAsync(new WorkflowClient(registry), "lease.cancellable", "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(await new WorkflowAdmin(db.App).CancelAsync(runId));

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => Task.FromResult(worker.Worker.RunsInFlight == 0), what: "the worker to let the run go");
        Assert.False(finished);
        Assert.Equal(WorkflowStatus.Cancelled, await db.StatusAsync(runId));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM workflow_steps WHERE run_id = $1", runId));
    }

    [Fact]
    public async Task StoppingAWorkerFinishesRunsWithinTheGraceAndReleasesTheRestAtOnce()
    {
        var registry = new WorkflowRegistry().Register<ShutdownProbe>("lease.shutdown", async (workflow, probe) =>
        {
            await workflow.StepAsync("begin", (activity, ct) => TestWorkflows.RecordAsync(db.App, activity, "start", ct));
            if (probe.IgnoresCancellation)
            {
                // Misbehaving workflow code: waits outside any step and ignores cancellation.
                await Task.Delay(probe.Milliseconds, CancellationToken.None);
            }
            await workflow.StepAsync("work", async (_, ct) => await Task.Delay(probe.Milliseconds, ct));
        });
        var options = RunningWorker.Fast() with
        {
            Concurrency = 3,
            LeaseDuration = TimeSpan.FromSeconds(60),
            HeartbeatInterval = TimeSpan.FromSeconds(10),
            ShutdownGrace = TimeSpan.FromMilliseconds(1500),
        };
        var worker = await RunningWorker.StartAsync(db.App, registry, options);
        var client = new WorkflowClient(registry);
        var quick = await db.StartAsync(client, "lease.shutdown", new ShutdownProbe(800, IgnoresCancellation: false));
        var slow = await db.StartAsync(client, "lease.shutdown", new ShutdownProbe(30_000, IgnoresCancellation: false));
        var stubborn = await db.StartAsync(client, "lease.shutdown", new ShutdownProbe(8_000, IgnoresCancellation: true));
        foreach (var run in new[] { quick, slow, stubborn })
        {
            await Eventually.TrueAsync(async () => await db.EffectsAsync(run, "begin") == 1, what: "all three runs to be in flight");
        }

        var clock = Stopwatch.StartNew();
        await worker.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}, far less than the 60 s lease");
        Assert.Equal(WorkflowStatus.Completed, await db.StatusAsync(quick));
        foreach (var released in new[] { slow, stubborn })
        {
            Assert.Equal(WorkflowStatus.Pending, await db.StatusAsync(released));
            Assert.Equal(1, await db.ScalarAsync<int>("SELECT attempt FROM workflow_runs WHERE id = $1 AND lease_owner IS NULL AND run_at <= now()", released));
        }
    }

    public sealed record ShutdownProbe(int Milliseconds, bool IgnoresCancellation);
}
