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
            var meter = CpuMeter.Available ? new CpuMeter(Path.Combine(root, "data")) : null;
            var pgbench = await Pgbench.RunAsync(PostgresBinaries.FindBinDirectory(), pgbenchDb.OwnerConnectionString, clients: concurrency, threads: 2, pgbenchSeconds, meter);
            Report.Line("yardstick", pgbench.Command, $"{pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms");
            if (pgbench.Cpu is { } pgbenchCpu)
            {
                Report.Line("yardstick", "CPU", pgbenchCpu.Per(pgbench.Transactions, "pgbench", "transaction"));
            }

            await using var dataSource = NpgsqlDataSource.Create(engineDb.AppConnectionString);
            var best = 0.0;
            foreach (var workers in workerCounts)
            {
                var (runsPerSecond, runsCpu, commitsPerRun) = await ThroughputAsync(dataSource, runs, workers, concurrency, meter);
                best = Math.Max(best, runsPerSecond);
                Report.Line("G3", $"no-op runs, {runs} runs, {workers} worker(s) x {concurrency}", $"{runsPerSecond:0} runs/s", runsPerSecond / pgbench.Tps, 1.0, "pgbench tps");
                if (runsCpu is { } cpu)
                {
                    Report.Line("G3", "CPU", $"{cpu.Per(runs, "engine and benchmark", "run")}, {commitsPerRun:0.00} commits per run");
                }
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
    private static async Task<(double RunsPerSecond, CpuMeter.Sample? Cpu, double CommitsPerRun)> ThroughputAsync(
        NpgsqlDataSource dataSource, int runs, int workers, int concurrency, CpuMeter? meter)
    {
        var type = $"bench.noop.{workers}.{Guid.NewGuid():N}";
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

        var commitsBefore = await CommitsAsync(dataSource);
        var cpuBefore = meter?.Read();
        var clock = Stopwatch.StartNew();
        var started = await StartWorkersAsync(dataSource, registry, workers, concurrency);
        while (await UnfinishedAsync(dataSource, type))
        {
            await Task.Delay(20);
        }
        var elapsed = clock.Elapsed;
        var cpu = meter?.Read() - cpuBefore;
        await StopAsync(started);
        await Task.Delay(1500); // idle backends report their statistics within a second
        var commits = await CommitsAsync(dataSource) - commitsBefore;
        var completed = await CompletedAsync(dataSource, type);
        if (completed != runs)
        {
            throw new InvalidOperationException($"{completed} of {runs} runs completed");
        }
        return (runs / elapsed.TotalSeconds, cpu, commits / (double)runs);
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

    // Cheap enough to ask every 20 ms while the engine works, unlike a count of the completed runs (which grew with every
    // round and took CPU from the engine): EXISTS stops at the first pending or running run.
    private static async Task<bool> UnfinishedAsync(NpgsqlDataSource dataSource, string type)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT set_config('app.workflow_engine', 'on', true); SELECT EXISTS (SELECT FROM workflow_runs WHERE status IN ('pending', 'running') AND workflow_type = @type)", connection);
        command.Parameters.AddWithValue("type", type);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetBoolean(0);
    }

    // Transactions committed in the engine's database (the statistics lag a little: read after the workers stopped).
    private static async Task<long> CommitsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
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
