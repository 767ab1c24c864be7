using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Api.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// The cost of one PostgreSQL rate-limit check (<see cref="RateLimitCounters.HitAsync"/>, the statement every limited
/// request runs): latency one at a time, and checks per second with several at once, over many distinct keys.
/// </summary>
internal static class RateLimitBenchmark
{
    public sealed record Result(double P50Ms, double P99Ms, double ChecksPerSecond, long Checks);

    public static async Task<Result> RunAsync(NpgsqlDataSource dataSource, int latencySamples, int concurrency, int seconds, int keys)
    {
        var counters = new RateLimitCounters(dataSource, new RateLimitOptions { CheckTimeout = TimeSpan.FromSeconds(30) }, NullLogger<RateLimitCounters>.Instance);
        var pool = Enumerable.Range(0, keys).Select(i => SHA256.HashData(Encoding.UTF8.GetBytes($"bench:{i}"))).ToArray();

        for (var i = 0; i < 500; i++)
        {
            await HitAsync(counters, pool[i % keys]);
        }

        var latencies = new List<double>(latencySamples);
        for (var i = 0; i < latencySamples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await HitAsync(counters, pool[i % keys]);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        latencies.Sort();

        long checks = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var i = worker;
            while (!stop.IsCancellationRequested)
            {
                await HitAsync(counters, pool[i % keys]);
                i += concurrency;
                Interlocked.Increment(ref checks);
            }
        })));
        var elapsed = clock.Elapsed;
        return new Result(Percentile(latencies, 0.50), Percentile(latencies, 0.99), checks / elapsed.TotalSeconds, checks);
    }

    private static async Task HitAsync(RateLimitCounters counters, byte[] key)
    {
        if (await counters.HitAsync(key, 60, CancellationToken.None) is null)
        {
            throw new InvalidOperationException("a rate-limit check failed; see the PostgreSQL log");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
