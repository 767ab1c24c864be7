using System.Globalization;
using LearnPlatform.LocalDev;
using LearnPlatform.Benchmarks;

// Every mode starts its own private PostgreSQL cluster (fsync on unless --no-fsync) and its yardsticks in the same run,
// and prints one line per figure: target | measure | value | ratio to the yardstick | whether the target is met.
// See docs/benchmarks.md.
//   --api [seconds] [--api-dll PATH] [--only G1|G1b|G2]   G1, G1b, G2: the API under wrk -t2 -c16 (Debian's wrk)
//   --exam-day [class sizes, e.g. 250,500,1000] [exam seconds] [seconds between autosaves] [--max-pool N]   G7: a synchronized exam start
//   --engine [runs] [workers] [concurrency] [latency samples] [pgbench seconds]   G3: the workflow engine
//   --rate-limit [latency samples] [concurrency] [seconds] [keys] [pgbench seconds]
//   --telemetry [sockets] [seconds per phase] [ingest writers] [open-loop events/s per socket]   G5: acknowledged telemetry events per second over many sockets, beside a COPY of the same rows
//   --sandbox [bubblewrap runs] [gvisor runs]   Python `pass` through the sandbox service beside the bare isolation
//   --serve bare-json|bare-query URL [CONNECTION]   a yardstick server (started by --api in its own process)
var culture = CultureInfo.InvariantCulture;
var durable = !args.Contains("--no-fsync");
var apiDll = OptionValue(args, "--api-dll");
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--api-dll" or "--only" or "--max-pool"))).ToArray();

if (args.Contains("--sandbox"))
{
    return await SandboxMode.RunAsync(positional);
}
if (args.FirstOrDefault() == "--serve")
{
    return await Yardsticks.ServeAsync(args[1..]);
}
if (args.Contains("--api") || args.Contains("--exam-day"))
{
    var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("run the benchmarks from the repository");
    apiDll = Path.GetFullPath(apiDll ?? Path.Combine(root, "src", "LearnPlatform.Api", "bin", "Release", "net10.0", "LearnPlatform.Api.dll"));
}
if (args.Contains("--exam-day"))
{
    var classSizes = (positional.Length > 0 ? positional[0] : "250,500,1000").Split(',').Select(n => int.Parse(n, culture)).ToList();
    var examSeconds = positional.Length > 1 ? int.Parse(positional[1], culture) : 120;
    var saveSeconds = positional.Length > 2 ? int.Parse(positional[2], culture) : 5;
    return await ExamDayMode.RunAsync(apiDll!, classSizes, TimeSpan.FromSeconds(examSeconds), TimeSpan.FromSeconds(saveSeconds),
        OptionValue(args, "--max-pool") is { } maxPool ? int.Parse(maxPool, culture) : null, durable);
}
if (args.Contains("--api"))
{
    var seconds = positional.Length > 0 ? int.Parse(positional[0], culture) : 10;
    return await ApiMode.RunAsync(apiDll!, seconds, threads: 2, connections: 16, durable, OptionValue(args, "--only"));
}
if (args.Contains("--rate-limit"))
{
    return await RateLimitMode.RunAsync(positional, durable);
}
if (args.Contains("--telemetry"))
{
    return await TelemetryMode.RunAsync(positional, durable);
}
return await EngineMode.RunAsync(positional, durable);

static string? OptionValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
