using System.Collections.Concurrent;
using System.Diagnostics;
using LearnPlatform.Workflows.Tests.Infrastructure;

namespace LearnPlatform.Workflows.Tests;

public sealed class RetryTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private static WorkflowOptions QuickRetries(int maxAttempts) => new()
    {
        MaxAttempts = maxAttempts,
        Retry = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), Jitter = 0 },
    };

    [Fact]
    public async Task ActivityFailingTwiceSucceedsOnTheThirdAttemptAfterGrowingBackoff()
    {
        var attempts = new ConcurrentQueue<(int Attempt, long At)>();
        var registry = new WorkflowRegistry().Register<int>("retry.flaky", async (workflow, failures) =>
            await workflow.StepAsync("flaky", (activity, _) =>
            {
                attempts.Enqueue((activity.Attempt, Stopwatch.GetTimestamp()));
                return activity.Attempt <= failures
                    ? throw new InvalidOperationException($"transient failure {activity.Attempt}")
                    : Task.FromResult(activity.Attempt);
            }), QuickRetries(maxAttempts: 5));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.flaky", 2);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        var seen = attempts.ToArray();
        Assert.Equal([1, 2, 3], seen.Select(a => a.Attempt));
        var firstGap = Stopwatch.GetElapsedTime(seen[0].At, seen[1].At);
        var secondGap = Stopwatch.GetElapsedTime(seen[1].At, seen[2].At);
        Assert.True(firstGap >= TimeSpan.FromMilliseconds(190), $"first retry after {firstGap.TotalMilliseconds} ms, backoff 200 ms");
        Assert.True(secondGap >= TimeSpan.FromMilliseconds(390), $"second retry after {secondGap.TotalMilliseconds} ms, backoff 400 ms");
        var run = (await new WorkflowAdmin(db.App).GetAsync(runId))!;
        Assert.Equal(3, run.Attempt);
        Assert.Equal("step 'flaky': InvalidOperationException: transient failure 2", run.LastError);
    }

    [Fact]
    public async Task RetryLaterWaitsAtLeastTheDelayTheSourceAskedFor()
    {
        var attempts = new ConcurrentQueue<long>();
        var registry = new WorkflowRegistry().Register<int>("retry.later", async (workflow, _) =>
            await workflow.StepAsync("rate-limited", (activity, _) =>
            {
                attempts.Enqueue(Stopwatch.GetTimestamp());
                return activity.Attempt == 1
                    ? throw new RetryLaterException("429 from upstream", TimeSpan.FromMilliseconds(1500))
                    : Task.FromResult(activity.Attempt);
            }), QuickRetries(maxAttempts: 3));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.later", 0);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        var seen = attempts.ToArray();
        Assert.Equal(2, seen.Length);
        var gap = Stopwatch.GetElapsedTime(seen[0], seen[1]);
        Assert.True(gap >= TimeSpan.FromMilliseconds(1450), $"retried after {gap.TotalMilliseconds} ms; upstream asked for 1500 ms, the policy alone gives 200 ms");
    }

    [Fact]
    public async Task NonRetryableErrorParksTheRunAfterOneAttempt()
    {
        var calls = 0;
        var registry = new WorkflowRegistry().Register<string>("retry.non-retryable", async (workflow, _) =>
            await workflow.StepAsync("grade", (_, _) =>
            {
                Interlocked.Increment(ref calls);
                throw new NonRetryableActivityException("the paper version is gone");
            }), QuickRetries(maxAttempts: 5));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.non-retryable", "x");

        await db.WaitForStatusAsync(runId, WorkflowStatus.Failed);
        Assert.Equal(1, calls);
        var parked = Assert.Single(await new WorkflowAdmin(db.App).ListFailedAsync("retry.non-retryable"));
        Assert.Equal(runId, parked.Id);
        Assert.Equal(1, parked.Attempt);
        Assert.Equal("step 'grade': NonRetryableActivityException: the paper version is gone", parked.LastError);
    }

    [Fact]
    public async Task ErrorMatchingTheActivitysNonRetryablePredicateParksAtOnce()
    {
        var calls = 0;
        var options = new ActivityOptions { IsNonRetryable = e => e is FormatException };
        var registry = new WorkflowRegistry().Register<string>("retry.predicate", async (workflow, _) =>
            await workflow.StepAsync("parse", (_, _) =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromException<int>(new FormatException("not a score"));
            }, options), QuickRetries(maxAttempts: 5));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.predicate", "x");

        await db.WaitForStatusAsync(runId, WorkflowStatus.Failed);
        Assert.Equal(1, calls);
        Assert.Contains("FormatException: not a score", (await new WorkflowAdmin(db.App).GetAsync(runId))!.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOutOfAttemptsIsParkedWithItsLastErrorAndAnOperatorRetryCompletesItWithoutRepeatingSteps()
    {
        var prepared = 0;
        var submitted = 0;
        var upstreamHealthy = false;
        var registry = new WorkflowRegistry().Register<string>("retry.exhausted", async (workflow, _) =>
        {
            await workflow.StepAsync("prepare", (_, _) => Task.FromResult(Interlocked.Increment(ref prepared)));
            await workflow.StepAsync("submit", (_, _) =>
            {
                var call = Interlocked.Increment(ref submitted);
                return Volatile.Read(ref upstreamHealthy) ? Task.CompletedTask : throw new HttpRequestException($"upstream 503 on call {call}");
            });
        }, QuickRetries(maxAttempts: 3) with { Retry = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(50), Jitter = 0 } });
        await using var worker = await RunningWorker.StartAsync(db.App, registry);
        var admin = new WorkflowAdmin(db.App);

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.exhausted", "x");

        await db.WaitForStatusAsync(runId, WorkflowStatus.Failed);
        var parked = Assert.Single(await admin.ListFailedAsync("retry.exhausted"));
        Assert.Equal(3, parked.Attempt);
        Assert.Equal("step 'submit': HttpRequestException: upstream 503 on call 3", parked.LastError);
        Assert.Equal((1, 3), (prepared, submitted));

        Volatile.Write(ref upstreamHealthy, true);
        Assert.True(await admin.RetryAsync(runId));

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Equal((1, 4), (prepared, submitted));
        Assert.Empty(await admin.ListFailedAsync("retry.exhausted"));
        Assert.False(await admin.RetryAsync(runId), "only a parked run can be retried");
    }

    [Fact]
    public async Task ActivityThatOutlivesItsStartToCloseTimeoutFailsTheAttemptEvenIfItIgnoresCancellation()
    {
        var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMilliseconds(300) };
        var registry = new WorkflowRegistry().Register<string>("retry.timeout", async (workflow, _) =>
            await workflow.StepAsync("slow", async (_, _) => await Task.Delay(TimeSpan.FromSeconds(20), CancellationToken.None), options),
            new WorkflowOptions { MaxAttempts = 1 });
        await using var worker = await RunningWorker.StartAsync(db.App, registry);
        var clock = Stopwatch.StartNew();

        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.timeout", "x");

        await db.WaitForStatusAsync(runId, WorkflowStatus.Failed, TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"parked after {clock.Elapsed}");
        Assert.StartsWith("step 'slow': ActivityTimeoutException:", (await new WorkflowAdmin(db.App).GetAsync(runId))!.LastError, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM workflow_steps WHERE run_id = $1", runId));
    }

    [Fact]
    public async Task CancelledRunNeverRuns()
    {
        var ran = false;
        var registry = new WorkflowRegistry().Register<string>("retry.cancelled", async (workflow, _) =>
            await workflow.StepAsync("anything", (_, _) => Task.FromResult(ran = true)));
        var admin = new WorkflowAdmin(db.App);
        var runId = await db.StartAsync(new WorkflowClient(registry), "retry.cancelled", "x", runAt: DateTimeOffset.UtcNow.AddMilliseconds(300));

        Assert.True(await admin.CancelAsync(runId));
        await using var worker = await RunningWorker.StartAsync(db.App, registry);
        await Task.Delay(1000);

        Assert.False(ran);
        Assert.Equal(WorkflowStatus.Cancelled, await db.StatusAsync(runId));
        Assert.False(await admin.CancelAsync(runId), "a cancelled run cannot be cancelled again");
    }
}
