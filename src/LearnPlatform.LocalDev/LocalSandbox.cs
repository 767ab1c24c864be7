using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using LearnPlatform.LocalDev.LocalPostgres;

namespace LearnPlatform.LocalDev;

/// <summary>
/// The code sandbox of a local run: the built sandbox host (src/LearnPlatform.Sandbox; `make run` builds it) as a
/// child process on a free loopback port, with a secret made for this run and the real isolation (bubblewrap).
/// It logs to .local/sandbox.log and ends with this process however it ends. When it cannot run, one line says why
/// and code answers wait for review. The integration tests run their sandbox with it too.
/// </summary>
public sealed class LocalSandbox : IAsyncDisposable
{
    private const string BubblewrapPath = "/usr/bin/bwrap";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly Lifeline lifeline;

    private LocalSandbox(Process process, Uri baseUrl, string secret)
    {
        this.process = process;
        BaseUrl = baseUrl;
        Secret = secret;
        // Terminates the sandbox when this process ends, even by SIGKILL.
        lifeline = Lifeline.Start("kill -TERM \"$1\" 2>/dev/null", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Uri BaseUrl { get; }
    public string Secret { get; }

    /// <returns>The running sandbox, or null after printing why there is none.</returns>
    public static async Task<LocalSandbox?> StartIfPossibleAsync(string repositoryRoot, CancellationToken ct)
    {
        try
        {
            return await StartAsync(repositoryRoot, Path.Combine(repositoryRoot, ".local", "sandbox.log"), ct);
        }
        catch (LocalRunException e)
        {
            Console.WriteLine($"No code sandbox: {e.Message}; code answers wait for review.");
            return null;
        }
    }

    /// <summary>Starts the sandbox and waits until it is ready (the integration tests use it too).</summary>
    /// <exception cref="LocalRunException">It cannot run here, with the reason in one line.</exception>
    public static async Task<LocalSandbox> StartAsync(string repositoryRoot, string logFile, CancellationToken ct)
    {
        var isolation = Environment.GetEnvironmentVariable("Sandbox__Isolation") ?? "bubblewrap";
        if (isolation == "bubblewrap" && !File.Exists(Environment.GetEnvironmentVariable("Sandbox__BubblewrapPath") ?? BubblewrapPath))
        {
            throw new LocalRunException("bubblewrap is not installed (Debian: apt-get install bubblewrap)");
        }
        var binary = HostBinary(repositoryRoot)
            ?? throw new LocalRunException("the sandbox host is not built (make run builds it: dotnet build src/LearnPlatform.Sandbox)");

        Console.WriteLine($"Starting the code sandbox ({isolation}) ...");
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var port = FreePort();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var start = new ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(binary)! };
        foreach (var argument in (string[])["-c", "exec dotnet \"$1\" >>\"$2\" 2>&1 </dev/null", "sandbox", binary, logFile])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["Sandbox__Secret"] = secret;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new LocalRunException("the sandbox host could not be started (dotnet failed to launch)");
        var sandbox = new LocalSandbox(process, new Uri($"http://127.0.0.1:{port}/"), secret);
        if (await sandbox.WaitUntilReadyAsync(logFile, ct) is { } problem)
        {
            await sandbox.DisposeAsync();
            throw new LocalRunException(problem);
        }
        return sandbox;
    }

    /// <summary>Null when /readyz answers 200; otherwise why not (the sandbox's own reason when it gives one).</summary>
    private async Task<string?> WaitUntilReadyAsync(string logFile, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        string? reason = null;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return $"the sandbox host exited (see {logFile})";
            }
            try
            {
                using var response = await http.GetAsync("readyz", ct);
                if (response.IsSuccessStatusCode)
                {
                    return null;
                }
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                reason = body.TryGetProperty("reason", out var why) ? why.GetString() : reason;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (JsonException)
            {
            }
            await Task.Delay(500, ct);
        }
        return $"the code sandbox is not ready: {reason ?? "no answer"}";
    }

    /// <summary>The sandbox host built in the same configuration as this API (bin/Debug/net10.0 beside bin/Debug/net10.0).</summary>
    private static string? HostBinary(string repositoryRoot)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here));
        var binary = Path.Combine(repositoryRoot, "src", "LearnPlatform.Sandbox", "bin", configuration ?? "Debug", framework, "LearnPlatform.Sandbox.dll");
        return File.Exists(binary) ? binary : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        lifeline.Dispose();
        if (!process.HasExited)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }
}
