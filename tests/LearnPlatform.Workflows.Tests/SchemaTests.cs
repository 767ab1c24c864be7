using LearnPlatform.Workflows.Tests.Infrastructure;
using Npgsql;

namespace LearnPlatform.Workflows.Tests;

/// <summary>A worker started before its migrations (a rollout where the Job and the Deployments apply together) claims nothing until they are applied.</summary>
public sealed class SchemaTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private const string Waiting = "waits for the database schema";

    private WorkflowRegistry Registry() => TestWorkflows.Register(new WorkflowRegistry(), db.App);

    [Fact]
    public async Task WorkerClaimsNothingUntilTheEnginesSchemaIsCurrent()
    {
        var runId = await db.StartAsync(new WorkflowClient(Registry()), TestWorkflows.Record, new TestWorkflows.RecordInput(1));
        await db.ScalarAsync<int>("WITH gone AS (DELETE FROM workflow_schema_versions RETURNING 1) SELECT count(*)::int FROM gone");
        var logs = new CapturedLogs();

        await using var worker = await RunningWorker.StartAsync(db.App, Registry(), logger: logs.LoggerFor<WorkflowWorker>());
        await Eventually.TrueAsync(() => Task.FromResult(logs.Lines.Count(l => l.Contains(Waiting, StringComparison.Ordinal)) >= 3), what: "the worker to check the schema three times");

        Assert.Equal(WorkflowStatus.Pending, await db.StatusAsync(runId));
        Assert.False(worker.Worker.Claiming.IsCompleted);

        await using (var owner = new NpgsqlConnection(db.Database.OwnerConnectionString))
        {
            await owner.OpenAsync();
            await WorkflowSchema.MigrateAsync(owner);
        }

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.Contains(logs.Lines, l => l.Contains("the schema is current", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerClaimsNothingUntilTheHostSaysItsMigrationsAreApplied()
    {
        var runId = await db.StartAsync(new WorkflowClient(Registry()), TestWorkflows.Record, new TestWorkflows.RecordInput(1));
        var hostMigrated = false;
        var hostChecks = 0;
        Task<bool> HostSchemaIsCurrent(CancellationToken _)
        {
            Interlocked.Increment(ref hostChecks);
            return Task.FromResult(Volatile.Read(ref hostMigrated));
        }

        await using var worker = await RunningWorker.StartAsync(db.App, Registry(), hostSchemaIsCurrent: HostSchemaIsCurrent);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref hostChecks) >= 3), what: "the worker to ask the host three times");

        Assert.Equal(WorkflowStatus.Pending, await db.StatusAsync(runId));
        Assert.False(worker.Worker.Claiming.IsCompleted);

        Volatile.Write(ref hostMigrated, true);

        await db.WaitForStatusAsync(runId, WorkflowStatus.Completed);
        Assert.True(worker.Worker.Claiming.IsCompleted);
    }

    [Fact]
    public async Task WorkerStoppedWhileWaitingForItsSchemaStopsCleanly()
    {
        await using var worker = await RunningWorker.StartAsync(db.App, Registry(), hostSchemaIsCurrent: _ => Task.FromResult(false));

        await worker.StopAsync();

        Assert.False(worker.Worker.Claiming.IsCompleted);
        Assert.Equal(0, worker.Worker.RunsInFlight);
    }

    [Fact]
    public void SchemaCheckIntervalMustBePositive()
    {
        var options = RunningWorker.Fast() with { SchemaCheckInterval = TimeSpan.Zero };

        Assert.Throws<ArgumentException>(() => new WorkflowWorker(db.App, Registry(), options));
    }
}
