using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LearnPlatform.Sandbox.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// <c>--sandbox</c>: Python <c>pass</c> through the sandbox service (HTTP, validation, a slot, the isolation, the
/// harness) beside the bare isolation running <c>python3 -I -S -c pass</c>, alternating one of each so both see the
/// same machine. Per backend: latency one at a time, and throughput with as many at once as the service has slots.
/// The service starts sandboxes ahead of requests (Sandbox__WarmRuns, one per slot) and replaces a used one after its
/// run: one at a time, each pair is followed by a pause (the time a caller spends between requests) in which the
/// replacement starts, so it competes with neither measured command. The <c>Sandbox__WarmRuns=0</c> rows start every
/// sandbox on demand, as before the pool.
/// </summary>
internal static class SandboxMode
{
    private const string Python = "/usr/bin/python3";
    private static readonly RunRequest Pass = new(RunLanguages.Python, "pass", []);

    public static async Task<int> RunAsync(string[] positional)
    {
        var culture = CultureInfo.InvariantCulture;
        var bubblewrapRuns = positional.Length > 0 ? int.Parse(positional[0], culture) : 300;
        var gvisorRuns = positional.Length > 1 ? int.Parse(positional[1], culture) : 40;
        var slots = Environment.ProcessorCount;
        var state = Directory.CreateTempSubdirectory("learnplatform-bench-sandbox-").FullName;
        Console.WriteLine($"{slots} cores; each run: Python `pass`, no tests; service with {slots} slots (the default)");
        var rows = new List<string>();
        try
        {
            string[] bareBubblewrap = [.. DropToNobody(), "/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--clearenv",
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--dev", "/dev",
                "--tmpfs", "/tmp", "--chdir", "/tmp", Python, "-I", "-S", "-c", "pass"];
            var pause = TimeSpan.FromMilliseconds(300);
            rows.AddRange(await CompareAsync("bubblewrap", bareBubblewrap, bubblewrapRuns, slots, state, pause));
            rows.AddRange(await CompareAsync("bubblewrap", bareBubblewrap, bubblewrapRuns, slots, state, pause, ("Sandbox__WarmRuns", "0")));
            if (Environment.IsPrivilegedProcess)
            {
                // As root the service also puts each run in its own memory and pids cgroups (v1): what that costs.
                rows.AddRange(await CompareAsync("bubblewrap", bareBubblewrap, bubblewrapRuns, slots, state, pause, ("Sandbox__Cgroups", "off")));
            }
            string[] bareGvisor = ["/usr/bin/runsc", $"--root={state}/runsc", "--network=none", "do", Python, "-I", "-S", "-c", "pass"];
            // Booting a gVisor sandbox takes most of a second, more under load.
            pause = TimeSpan.FromSeconds(2);
            rows.AddRange(await CompareAsync("gvisor", bareGvisor, gvisorRuns, slots, state, pause));
            rows.AddRange(await CompareAsync("gvisor", bareGvisor, gvisorRuns, slots, state, pause, ("Sandbox__WarmRuns", "0")));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine("| backend | measure | bare isolation | through the service | service vs bare |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<IEnumerable<string>> CompareAsync(string backend, string[] bare, int runs, int slots, string state, TimeSpan pause, params (string Name, string Value)[] settings)
    {
        await using var service = await ServiceProcess.StartAsync(backend, Path.Combine(state, backend), settings);
        var name = string.Join(", ", settings.Select(s => $"{s.Name}={s.Value}").Prepend(backend));
        var client = service.Client;
        for (var i = 0; i < Math.Max(3, runs / 20); i++)
        {
            await BareAsync(bare);
            await ServiceAsync(client);
        }

        var bareMs = new List<double>();
        var serviceMs = new List<double>();
        var clock = Stopwatch.StartNew();
        var (bareCpuBefore, serviceCpuBefore) = (CpuMs(Environment.ProcessId, children: true), CpuMs(service.Id, children: false));
        for (var i = 0; i < runs; i++)
        {
            bareMs.Add(await BareAsync(bare));
            serviceMs.Add(await ServiceAsync(client));
            await Task.Delay(pause);
        }
        // CPU time does not grow with the machine's load the way wall time does: the work each run costs.
        var bareCpu = (CpuMs(Environment.ProcessId, children: true) - bareCpuBefore) / runs;
        var serviceCpu = (CpuMs(service.Id, children: false) - serviceCpuBefore) / runs;
        Console.WriteLine($"{name}: {runs} alternating runs one at a time, {pause.TotalMilliseconds:0} ms pause after each pair, in {clock.Elapsed.TotalSeconds:0.0} s; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

        var bareRate = await RateAsync(runs, slots, () => BareAsync(bare));
        var serviceRate = await RateAsync(runs, slots, () => ServiceAsync(client));
        Console.WriteLine($"{name}: {slots} at once: bare {bareRate:0.0}/s, service {serviceRate:0.0}/s");

        bareMs.Sort();
        serviceMs.Sort();
        var (bare50, bare99, service50, service99) = (Percentile(bareMs, 0.5), Percentile(bareMs, 0.99), Percentile(serviceMs, 0.5), Percentile(serviceMs, 0.99));
        var sequentialBare = 1000 / bareMs.Average();
        var sequentialService = 1000 / serviceMs.Average();
        return
        [
            $"| {name} | latency p50, {runs} runs one at a time | {bare50:0.0} ms | {service50:0.0} ms | {service50 - bare50:+0.0;-0.0} ms |",
            $"| {name} | latency p99 | {bare99:0.0} ms | {service99:0.0} ms | {service99 - bare99:+0.0;-0.0} ms |",
            $"| {name} | runs/s one at a time | {sequentialBare:0.0} | {sequentialService:0.0} | {sequentialService / sequentialBare:0.00} × |",
            $"| {name} | CPU (user + system) per run, one at a time | {bareCpu:0.0} ms | {serviceCpu:0.0} ms | {serviceCpu - bareCpu:+0.0;-0.0} ms |",
            $"| {name} | runs/s, {slots} at once, {runs} runs | {bareRate:0.0} | {serviceRate:0.0} | {serviceRate / bareRate:0.00} × |",
        ];
    }

    private static async Task<double> BareAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited {process.ExitCode}: {await error}{await output}");
        }
        return elapsed;
    }

    private static async Task<double> ServiceAsync(SandboxClient client)
    {
        var clock = Stopwatch.StartNew();
        var result = await client.RunAsync(Pass);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return result.Status == RunStatus.Passed ? elapsed : throw new InvalidOperationException($"pass ended {result.Status}: {result.Stderr}");
    }

    private static async Task<double> RateAsync(int runs, int atOnce, Func<Task<double>> run)
    {
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, atOnce).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= runs)
            {
                await run();
            }
        }));
        return runs / clock.Elapsed.TotalSeconds;
    }

    /// <summary>As root the service drops each run to nobody before bubblewrap; the bare loop does the same.</summary>
    private static string[] DropToNobody() =>
        Environment.IsPrivilegedProcess ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];

    /// <summary>
    /// User and system time from /proc/PID/stat, in ms: with <paramref name="children"/>, only of its waited-for
    /// children (the bare commands); without, the process itself and its waited-for children (the service and the
    /// runs it started).
    /// </summary>
    private static double CpuMs(int pid, bool children)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = children
            ? long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)
            : fields.Skip(11).Take(4).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
        return ticks * 10.0; // USER_HZ is 100 on Linux
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The built sandbox host as a child process on a free loopback port.</summary>
    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly ServiceProvider services;

        private ServiceProcess(Process process, ServiceProvider services)
        {
            this.process = process;
            this.services = services;
        }

        public SandboxClient Client => services.GetRequiredService<SandboxClient>();

        public int Id => process.Id;

        public static async Task<ServiceProcess> StartAsync(string backend, string workDirectory, (string Name, string Value)[] settings)
        {
            var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var configuration = Path.GetFileName(Path.GetDirectoryName(here))!;
            var root = here;
            while (!File.Exists(Path.Combine(root, "LearnPlatform.sln")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("LearnPlatform.sln not found.");
            }
            var directory = Path.Combine(root, "src", "LearnPlatform.Sandbox", "bin", configuration, Path.GetFileName(here));
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(directory, "LearnPlatform.Sandbox.dll"));
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Sandbox__Secret"] = secret;
            start.Environment["Sandbox__Isolation"] = backend;
            start.Environment["Sandbox__QueueLimit"] = "64";
            start.Environment["Sandbox__WorkDirectory"] = workDirectory;
            foreach (var (name, value) in settings)
            {
                start.Environment[name] = value;
            }
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            var baseUrl = new Uri($"http://127.0.0.1:{port}/");
            var services = new ServiceCollection().AddSandboxClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sandbox:BaseUrl"] = baseUrl.ToString(),
                ["Sandbox:Secret"] = secret,
            }).Build()).BuildServiceProvider();
            using var probe = new HttpClient { BaseAddress = baseUrl };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if ((await probe.GetAsync("readyz")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (attempt < 600)
                {
                    // Not listening yet.
                }
                await Task.Delay(100);
            }
            return new ServiceProcess(process, services);
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
