using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary>PostgreSQL's own pgbench, against a scratch database of the same cluster: the yardstick for the engine's figures.</summary>
internal static partial class Pgbench
{
    /// <param name="LatencyP99Ms">From pgbench's per-transaction log: the tail the API's p99 is read beside.</param>
    /// <param name="Cpu">CPU spent during the timed run (pgbench and the cluster), when a meter was given.</param>
    public sealed record Result(string Command, double Tps, double LatencyAverageMs, double LatencyP99Ms, long Transactions, CpuMeter.Sample? Cpu);

    public static async Task<Result> RunAsync(string binDirectory, string ownerConnectionString, int clients, int threads, int seconds, CpuMeter? meter = null)
    {
        var pgbench = Path.Combine(binDirectory, "pgbench");
        var connection = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        var target = new[] { "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database! };
        await RunAsync(pgbench, connection.Password!, ["-i", "-s", "1", "-q", .. target]);
        string[] benchmark = ["-N", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", threads.ToString(CultureInfo.InvariantCulture),
            "-T", seconds.ToString(CultureInfo.InvariantCulture), .. target];
        var logs = Directory.CreateTempSubdirectory("learnplatform-pgbench-log-");
        var before = meter?.Read();
        var output = await RunAsync(pgbench, connection.Password!, ["-l", $"--log-prefix={Path.Combine(logs.FullName, "tx")}", .. benchmark]);
        if (meter is not null)
        {
            await Task.Delay(500); // pgbench's backends exit after it does; their CPU counts once they have
        }
        var cpu = meter?.Read() - before;
        var tps = Tps().Match(output);
        var latency = Latency().Match(output);
        var transactions = Transactions().Match(output);
        if (!tps.Success || !latency.Success || !transactions.Success)
        {
            throw new InvalidOperationException($"unexpected pgbench output:\n{output}");
        }
        var p99 = await LatencyP99MsAsync(logs);
        return new Result(
            "pgbench " + string.Join(' ', benchmark[..^(target.Length)]),
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture),
            p99,
            long.Parse(transactions.Groups[1].Value, CultureInfo.InvariantCulture),
            cpu);
    }

    /// <summary>Each line of a per-transaction log is "client transaction latency_us script epoch_s epoch_us".</summary>
    private static async Task<double> LatencyP99MsAsync(DirectoryInfo logs)
    {
        var latencies = new List<long>();
        foreach (var file in logs.EnumerateFiles())
        {
            foreach (var line in await File.ReadAllLinesAsync(file.FullName))
            {
                latencies.Add(long.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture));
            }
        }
        logs.Delete(recursive: true);
        latencies.Sort();
        return latencies.Count == 0 ? 0 : latencies[(int)(latencies.Count * 0.99)] / 1000.0;
    }

    private static async Task<string> RunAsync(string file, string password, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"pgbench failed ({process.ExitCode}):\n{output}");
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex Latency();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex Transactions();
}
