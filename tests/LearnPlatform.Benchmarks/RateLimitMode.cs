using System.Globalization;
using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;
using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary><c>--rate-limit</c>: a private cluster, pgbench -N as the yardstick, then <see cref="RateLimitBenchmark"/>.</summary>
internal static class RateLimitMode
{
    public static async Task<int> RunAsync(string[] positional, bool durable)
    {
        var culture = CultureInfo.InvariantCulture;
        var latencySamples = positional.Length > 0 ? int.Parse(positional[0], culture) : 5000;
        var concurrency = positional.Length > 1 ? int.Parse(positional[1], culture) : 8;
        var seconds = positional.Length > 2 ? int.Parse(positional[2], culture) : 10;
        var keys = positional.Length > 3 ? int.Parse(positional[3], culture) : 1000;
        var pgbenchSeconds = positional.Length > 4 ? int.Parse(positional[4], culture) : 10;

        var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
        await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
        try
        {
            var db = await cluster.Provisioner.EnsureDatabaseAsync("bench_rate_limits");
            await DatabaseMigrator.MigrateAsync(db.OwnerConnectionString, db.AppConnectionString);
            var pgbenchDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_pgbench");

            Console.WriteLine($"PostgreSQL private cluster ({(durable ? "fsync on, synchronous_commit on" : "fsync off")}), {Environment.ProcessorCount} cores");
            var pgbench = await Pgbench.RunAsync(PostgresBinaries.FindBinDirectory(), pgbenchDb.OwnerConnectionString, clients: 4, threads: 2, pgbenchSeconds);
            Console.WriteLine($"{pgbench.Command}: {pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms");

            // The application role, as the API connects.
            await using var dataSource = NpgsqlDataSource.Create(db.AppConnectionString);
            var result = await RateLimitBenchmark.RunAsync(dataSource, latencySamples, concurrency, seconds, keys);

            Console.WriteLine();
            Console.WriteLine("| measure | value | ratio to pgbench -N |");
            Console.WriteLine("| --- | --- | --- |");
            Console.WriteLine($"| `{pgbench.Command}` | {pgbench.Tps:0} tps (latency average {pgbench.LatencyAverageMs:0.00} ms) | 1 |");
            Console.WriteLine($"| check latency p50, {latencySamples} checks one at a time, {keys} keys | {result.P50Ms:0.000} ms | {result.P50Ms / pgbench.LatencyAverageMs:0.00} × pgbench latency |");
            Console.WriteLine($"| check latency p99 | {result.P99Ms:0.000} ms | {result.P99Ms / pgbench.LatencyAverageMs:0.00} × pgbench latency |");
            Console.WriteLine($"| checks/s, {concurrency} at once for {seconds} s, {keys} keys ({result.Checks} checks) | {result.ChecksPerSecond:0} checks/s | {result.ChecksPerSecond / pgbench.Tps:0.00} × pgbench tps |");
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
}
