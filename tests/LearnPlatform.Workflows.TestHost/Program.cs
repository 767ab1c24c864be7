using System.Diagnostics;
using System.Runtime.InteropServices;
using LearnPlatform.Workflows;
using LearnPlatform.Testing;
using Npgsql;

// Test host for the crash tests. The database comes from WORKFLOWS_TEST_DATABASE (the application role's connection string).
//   worker <id> <workers> <concurrency> <lease ms>   runs workers until SIGTERM or SIGKILL; prints "ready" once all listen
//   enqueue-then-die <key>                            commits a test.three-steps run, then kills itself with SIGKILL
var connectionString = Environment.GetEnvironmentVariable("WORKFLOWS_TEST_DATABASE");
if (string.IsNullOrWhiteSpace(connectionString) || args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: WORKFLOWS_TEST_DATABASE=... TestHost worker <id> <workers> <concurrency> <lease ms> | enqueue-then-die <key>");
    return 2;
}

await using var dataSource = NpgsqlDataSource.Create(connectionString);
var registry = TestWorkflows.Register(new WorkflowRegistry(), dataSource);

if (args[0] == "enqueue-then-die")
{
    await using var connection = await dataSource.OpenConnectionAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    await new WorkflowClient(registry).StartAsync(connection, transaction, TestWorkflows.ThreeSteps, args[1], new TestWorkflows.ThreeStepsInput(null), tenantId: null);
    await transaction.CommitAsync();
    Process.GetCurrentProcess().Kill();
    return 1;
}

var lease = TimeSpan.FromMilliseconds(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
var workers = Enumerable.Range(1, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture))
    .Select(i => new WorkflowWorker(dataSource, registry, new WorkflowWorkerOptions
    {
        WorkerId = $"{args[1]}-{i}",
        Concurrency = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
        LeaseDuration = lease,
        HeartbeatInterval = lease / 4,
        RescueInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromSeconds(1),
    }))
    .ToList();

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
foreach (var worker in workers)
{
    await worker.StartAsync(CancellationToken.None);
}
await Task.WhenAll(workers.Select(w => w.Listening));
Console.WriteLine("ready");

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // SIGTERM
}
foreach (var worker in workers)
{
    await worker.StopAsync(CancellationToken.None);
    worker.Dispose();
}
return 0;
