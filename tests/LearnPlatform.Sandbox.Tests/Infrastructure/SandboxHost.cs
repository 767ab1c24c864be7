using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LearnPlatform.Sandbox.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.Sandbox.Tests.Infrastructure;

/// <summary>
/// The built sandbox service run as a real child process on a free loopback port, with a secret made for this
/// test run, the way the orchestrator runs it.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder log = new();
    private readonly ServiceProvider services;

    private SandboxHost(Process process, Uri baseUrl, string secret, string workDirectory)
    {
        WorkDirectory = workDirectory;
        this.process = process;
        BaseUrl = baseUrl;
        Secret = secret;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        services = ClientServices(baseUrl, secret, TimeSpan.FromSeconds(120));
        Client = services.GetRequiredService<SandboxClient>();
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseUrl { get; }

    /// <summary>The service's process on the host; its sandboxes are its children.</summary>
    public int ProcessId => process.Id;

    /// <summary>The service's own directory (gVisor bundles and state).</summary>
    public string WorkDirectory { get; }
    public string Secret { get; }
    public SandboxClient Client { get; }

    /// <summary>Without the secret header; add it per request.</summary>
    public HttpClient Http { get; }

    public string Log { get { lock (log) { return log.ToString(); } } }

    /// <summary>The service logs asynchronously: waits up to 10 s for <paramref name="text"/>, then returns the log.</summary>
    public async Task<string> LogWithAsync(string text)
    {
        for (var waited = 0; waited < 100 && !Log.Contains(text, StringComparison.Ordinal); waited++)
        {
            await Task.Delay(100);
        }
        return Log;
    }

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Starts the host and waits until it listens; <paramref name="waitUntilReady"/> also waits for /readyz.</summary>
    public static async Task<SandboxHost> StartAsync(IDictionary<string, string?> settings, bool waitUntilReady = true)
    {
        var secret = settings.TryGetValue("Sandbox__Secret", out var given) ? given ?? "" : NewSecret();
        var port = FreePort();
        var workDirectory = Directory.CreateTempSubdirectory("learnplatform-sandbox-tests-").FullName;
        var process = Start(new Dictionary<string, string?>(settings)
        {
            ["Sandbox__Secret"] = secret,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Sandbox__WorkDirectory"] = workDirectory,
        });
        var host = new SandboxHost(process, new Uri($"http://127.0.0.1:{port}/"), secret, workDirectory);
        await host.WaitAsync(waitUntilReady ? "readyz" : "healthz");
        return host;
    }

    /// <summary>Runs the host to its exit, for start-up refusals.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(IDictionary<string, string?> settings)
    {
        using var process = Start(settings);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static ServiceProvider ClientServices(Uri baseUrl, string secret, TimeSpan timeout) =>
        new ServiceCollection()
            .AddSandboxClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sandbox:BaseUrl"] = baseUrl.ToString(),
                ["Sandbox:Secret"] = secret,
                ["Sandbox:Timeout"] = timeout.ToString(),
            }).Build())
            .BuildServiceProvider();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public HttpRequestMessage RunRequest(string json, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/runs") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add(SandboxClient.SecretHeader, secret ?? Secret);
        return request;
    }

    private static Process Start(IDictionary<string, string?> settings)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here))!;
        var directory = Path.Combine(RepositoryRoot, "src", "LearnPlatform.Sandbox", "bin", configuration, framework);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "LearnPlatform.Sandbox.dll"));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Sandbox__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LearnPlatform.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("LearnPlatform.sln not found above the test binaries.");
    }

    private async Task WaitAsync(string path)
    {
        using var probe = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sandbox host exited with {process.ExitCode}:\n{Log}");
            }
            try
            {
                using var response = await probe.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The sandbox host did not answer /{path} 200 in time:\n{Log}");
    }

    /// <summary>SIGKILL to the service alone, none of its children: what a crash or an OOM kill does.</summary>
    public async Task KillServiceAloneAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await services.DisposeAsync();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(WorkDirectory, recursive: true);
    }
}
