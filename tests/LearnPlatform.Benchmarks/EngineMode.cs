using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;
using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// G3: throughput and enqueue-to-start latency of the workflow engine with no-op runs, beside pgbench -N with as many
/// clients as runs execute at once, on the same private cluster (fsync on).
/// </summary>
internal static class EngineMode
{
    public static async Task<int> RunAsync(string[] positional, bool durable)
    {
        var culture = CultureInfo.InvariantCulture;
        var runs = positional.Length > 0 ? int.Parse(positional[0], culture) : 5000;
        var workerCounts = positional.Length > 1 ? positional[1].Split(',').Select(w => int.Parse(w, culture)).ToArray() : [1, 2];
        var concurrency = positional.Length > 2 ? int.Parse(positional[2], culture) : 8;
        var latencySamples = positional.Length > 3 ? int.Parse(positional[3], culture) : 200;
        var pgbenchSeconds = positional.Length > 4 ? int.Parse(positional[4], culture) : 10;

        var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
        await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
        try
        {
            var engineDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_workflows");
            await DatabaseMigrator.MigrateAsync(engineDb.OwnerConnectionString, engineDb.AppConnectionString);
            var pgbenchDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_pgbench");

            Report.Machine(durable);
            var pgbench = await Pgbench.RunAsync(PostgresBinaries.FindBinDirectory(), pgbenchDb.OwnerConnectionString, clients: concurrency, threads: 2, pgbenchSeconds);
            Report.Line("yardstick", pgbench.Command, $"{pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms");

            await using var dataSource = NpgsqlDataSource.Create(engineDb.AppConnectionString);
            var best = 0.0;
            foreach (var workers in workerCounts)
            {
                var runsPerSecond = await ThroughputAsync(dataSource, runs, workers, concurrency);
                best = Math.Max(best, runsPerSecond);
                Report.Line("G3", $"no-op runs, {runs} runs, {workers} worker(s) x {concurrency}", $"{runsPerSecond:0} runs/s", runsPerSecond / pgbench.Tps, 1.0, "pgbench tps");
            }

            var (p50, p99) = await LatencyAsync(dataSource, latencySamples, workers: 2, concurrency);
            Report.Line("G3", $"enqueue-to-start p50, {latencySamples} runs one at a time, 2 idle workers", $"{p50:0.00} ms", bound: "at most 5 ms", met: p50 <= 5);
            Report.Line("G3", "enqueue-to-start p99", $"{p99:0.00} ms", bound: "at most 25 ms", met: p99 <= 25);
            Report.Line("G3", "best no-op throughput", $"{best:0} runs/s", best / pgbench.Tps, 1.0, "pgbench tps");
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
    }

    // Enqueues every run first, then starts the workers and times them until the last run is completed.
    private static async Task<double> ThroughputAsync(NpgsqlDataSource dataSource, int runs, int workers, int concurrency)
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
    private static async Task<(double P50, double P99)> LatencyAsync(NpgsqlDataSource dataSource, int samples, int workers, int concurrency)
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
        return (Report.Percentile(latencies, 0.50), Report.Percentile(latencies, 0.99));
    }

    private static async Task<List<WorkflowWorker>> StartWorkersAsync(NpgsqlDataSource dataSource, WorkflowRegistry registry, int workers, int concurrency)
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

    private static async Task StopAsync(List<WorkflowWorker> workers)
    {
        foreach (var worker in workers)
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        }
    }

    private static async Task<long> CompletedAsync(NpgsqlDataSource dataSource, string type)
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
}
