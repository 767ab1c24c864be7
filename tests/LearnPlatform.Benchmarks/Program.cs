using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LearnPlatform.Benchmarks;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.LocalPostgres;
using LearnPlatform.Workflows;
using Npgsql;

// Throughput and enqueue-to-start latency of the workflow engine, each beside pgbench -N on the same private cluster.
//   dotnet run -c Release --project tests/LearnPlatform.Benchmarks -- [runs] [workers list] [concurrency] [latency samples] [pgbench seconds] [--no-fsync]
// Or the cost of one PostgreSQL rate-limit check, beside pgbench -N the same way:
//   dotnet run -c Release --project tests/LearnPlatform.Benchmarks -- --rate-limit [latency samples] [concurrency] [seconds] [keys] [pgbench seconds] [--no-fsync]
// Or G5, acknowledged telemetry events per second over many sockets, beside a COPY of the same rows:
//   dotnet run -c Release --project tests/LearnPlatform.Benchmarks -- --telemetry [sockets] [seconds per phase] [--no-fsync]
var culture = CultureInfo.InvariantCulture;
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
if (args.Contains("--rate-limit"))
{
    return await RateLimitMode.RunAsync(positional, durable: !args.Contains("--no-fsync"));
}
if (args.Contains("--telemetry"))
{
    return await TelemetryMode.RunAsync(positional, durable: !args.Contains("--no-fsync"));
}
var runs = positional.Length > 0 ? int.Parse(positional[0], culture) : 5000;
var workerCounts = positional.Length > 1 ? positional[1].Split(',').Select(w => int.Parse(w, culture)).ToArray() : [1, 2, 4];
var concurrency = positional.Length > 2 ? int.Parse(positional[2], culture) : 8;
var latencySamples = positional.Length > 3 ? int.Parse(positional[3], culture) : 200;
var pgbenchSeconds = positional.Length > 4 ? int.Parse(positional[4], culture) : 10;
var durable = !args.Contains("--no-fsync");

var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
try
{
    var engineDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_workflows");
    await DatabaseMigrator.MigrateAsync(engineDb.OwnerConnectionString, engineDb.AppConnectionString);
    var pgbenchDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_pgbench");

    Console.WriteLine($"PostgreSQL private cluster ({(durable ? "fsync on, synchronous_commit on" : "fsync off")}), {Environment.ProcessorCount} cores");
    var pgbench = await Pgbench.RunAsync(PostgresBinaries.FindBinDirectory(), pgbenchDb.OwnerConnectionString, clients: 4, threads: 2, pgbenchSeconds);
    Console.WriteLine($"{pgbench.Command}: {pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms");

    await using var dataSource = NpgsqlDataSource.Create(engineDb.AppConnectionString);
    var rows = new List<(string Metric, string Value, string Ratio)>
    {
        ($"`{pgbench.Command}`", $"{pgbench.Tps:0} tps (latency average {pgbench.LatencyAverageMs:0.00} ms)", "1"),
    };

    foreach (var workers in workerCounts)
    {
        var runsPerSecond = await ThroughputAsync(dataSource, runs, workers, concurrency);
        rows.Add(($"throughput, {runs} runs, {workers} worker(s) × {concurrency}", $"{runsPerSecond:0} runs/s", $"{runsPerSecond / pgbench.Tps:0.00} × pgbench tps"));
        Console.WriteLine($"{workers} worker(s) × {concurrency}: {runsPerSecond:0} runs/s");
    }

    var (p50, p99) = await LatencyAsync(dataSource, latencySamples, workers: 2, concurrency);
    rows.Add(($"enqueue-to-start p50, {latencySamples} runs one at a time, 2 idle workers", $"{p50:0.00} ms", $"{p50 / pgbench.LatencyAverageMs:0.00} × pgbench latency ({p50 * pgbench.Tps / 1000:0.00} × 1/tps)"));
    rows.Add(($"enqueue-to-start p99", $"{p99:0.00} ms", $"{p99 / pgbench.LatencyAverageMs:0.00} × pgbench latency ({p99 * pgbench.Tps / 1000:0.00} × 1/tps)"));

    Console.WriteLine();
    Console.WriteLine("| measure | value | ratio to pgbench -N |");
    Console.WriteLine("| --- | --- | --- |");
    foreach (var (metric, value, ratio) in rows)
    {
        Console.WriteLine($"| {metric} | {value} | {ratio} |");
    }
}
finally
{
    await cluster.StopAsync();
    if (durable)
    {
        Directory.Delete(root, recursive: true);
    }
}
return 0;

// Enqueues every run first, then starts the workers and times them until the last run completes.
static async Task<double> ThroughputAsync(NpgsqlDataSource dataSource, int runs, int workers, int concurrency)
{
    var type = $"bench.noop.{workers}";
    var registry = new WorkflowRegistry().Register<int>(type, async (workflow, _) =>
        await workflow.StepAsync("noop", (_, _) => Task.FromResult(0)));
    var client = new WorkflowClient(registry);
    await using (var connection = await dataSource.OpenConnectionAsync())
    {
        for (var batch = 0; batch < runs; batch += 500)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = batch; i < Math.Min(batch + 500, runs); i++)
            {
                await client.StartAsync(connection, transaction, type, $"{type}:{i}", i, tenantId: null);
            }
            await transaction.CommitAsync();
        }
    }

    var clock = Stopwatch.StartNew();
    var started = await StartWorkersAsync(dataSource, registry, workers, concurrency);
    while (await CompletedAsync(dataSource, type) < runs)
    {
        await Task.Delay(20);
    }
    var elapsed = clock.Elapsed;
    await StopAsync(started);
    return runs / elapsed.TotalSeconds;
}

// Runs committed one at a time to idle workers: from the commit returning to the activity starting.
static async Task<(double P50, double P99)> LatencyAsync(NpgsqlDataSource dataSource, int samples, int workers, int concurrency)
{
    var startedAt = new ConcurrentDictionary<Guid, TaskCompletionSource<long>>();
    var registry = new WorkflowRegistry().Register<int>("bench.latency", async (workflow, _) =>
        await workflow.StepAsync("started", (activity, _) =>
        {
            startedAt.GetOrAdd(activity.RunId, _ => new TaskCompletionSource<long>()).TrySetResult(Stopwatch.GetTimestamp());
            return Task.FromResult(0);
        }));
    var client = new WorkflowClient(registry);
    var started = await StartWorkersAsync(dataSource, registry, workers, concurrency);
    var latencies = new List<double>();
    await using (var connection = await dataSource.OpenConnectionAsync())
    {
        for (var i = 0; i < samples; i++)
        {
            await Task.Delay(20); // idle again
            var run = await client.StartAsync(connection, null, "bench.latency", $"bench.latency:{i}", i, tenantId: null);
            var committed = Stopwatch.GetTimestamp();
            var start = await startedAt.GetOrAdd(run.RunId, _ => new TaskCompletionSource<long>()).Task;
            latencies.Add(Stopwatch.GetElapsedTime(committed, start).TotalMilliseconds);
        }
    }
    await StopAsync(started);
    latencies.Sort();
    return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
}

static async Task<List<WorkflowWorker>> StartWorkersAsync(NpgsqlDataSource dataSource, WorkflowRegistry registry, int workers, int concurrency)
{
    var started = new List<WorkflowWorker>();
    for (var i = 0; i < workers; i++)
    {
        var worker = new WorkflowWorker(dataSource, registry, new WorkflowWorkerOptions { WorkerId = $"bench-{i}", Concurrency = concurrency });
        await worker.StartAsync(CancellationToken.None);
        started.Add(worker);
    }
    await Task.WhenAll(started.Select(w => w.Listening));
    return started;
}

static async Task StopAsync(List<WorkflowWorker> workers)
{
    foreach (var worker in workers)
    {
        await worker.StopAsync(CancellationToken.None);
        worker.Dispose();
    }
}

static async Task<long> CompletedAsync(NpgsqlDataSource dataSource, string type)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    await using var command = new NpgsqlCommand(
        "SELECT set_config('app.workflow_engine', 'on', true); SELECT count(*) FROM workflow_runs WHERE workflow_type = @type AND status = 'completed'", connection);
    command.Parameters.AddWithValue("type", type);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.NextResultAsync();
    await reader.ReadAsync();
    return reader.GetInt64(0);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
