using System.Globalization;
using LearnPlatform.LocalDev;
using LearnPlatform.Benchmarks;

// Every mode starts its own private PostgreSQL cluster (fsync on unless --no-fsync) and its yardsticks in the same run,
// and prints one line per figure: target | measure | value | ratio to the yardstick | whether the target is met.
// See docs/benchmarks.md.
//   --api [seconds] [--api-dll PATH] [--only G1|G1b|G2]   G1, G1b, G2: the API under wrk -t2 -c16 (Debian's wrk)
//   --engine [runs] [workers] [concurrency] [latency samples] [pgbench seconds]   G3: the workflow engine
//   --rate-limit [latency samples] [concurrency] [seconds] [keys] [pgbench seconds]
//   --telemetry [sockets] [seconds per phase]   G5: acknowledged telemetry events per second over many sockets, beside a COPY of the same rows
//   --sandbox [bubblewrap runs] [gvisor runs]   Python `pass` through the sandbox service beside the bare isolation
//   --serve bare-json|bare-query URL [CONNECTION]   a yardstick server (started by --api in its own process)
var culture = CultureInfo.InvariantCulture;
var durable = !args.Contains("--no-fsync");
var apiDll = OptionValue(args, "--api-dll");
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--api-dll" or "--only"))).ToArray();

if (args.Contains("--sandbox"))
{
    return await SandboxMode.RunAsync(positional);
}
if (args.FirstOrDefault() == "--serve")
{
    return await Yardsticks.ServeAsync(args[1..]);
}
if (args.Contains("--api"))
{
    var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("run the benchmarks from the repository");
    apiDll ??= Path.Combine(root, "src", "LearnPlatform.Api", "bin", "Release", "net10.0", "LearnPlatform.Api.dll");
    var seconds = positional.Length > 0 ? int.Parse(positional[0], culture) : 10;
    return await ApiMode.RunAsync(Path.GetFullPath(apiDll), seconds, threads: 2, connections: 16, durable, OptionValue(args, "--only"));
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
