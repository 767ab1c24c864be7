using System.Diagnostics;
using LearnPlatform.LocalDev;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>A built host (API or worker) run as a real child process, the way an operator or the orchestrator runs it.</summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder output = new();
    private readonly System.Text.StringBuilder error = new();

    private HostProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (error) { error.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (output) { return output.ToString(); } } }
    public string Error { get { lock (error) { return error.ToString(); } } }
    public int Id => process.Id;

    /// <param name="project">LearnPlatform.Api, LearnPlatform.Worker or LearnPlatform.LocalDev.</param>
    public static HostProcess Start(string project, IDictionary<string, string?> environment, params string[] arguments)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here))!;
        var directory = Path.Combine(RepositoryRoot.Find()!, "src", project, "bin", configuration, framework);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, $"{project}.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k is "FIREBASE_AUTH_EMULATOR_HOST" or "PG_BIN").ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new HostProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the host at <paramref name="port"/> answers /readyz with 200 (or fails the test).</summary>
    public async Task WaitUntilReadyAsync(int port, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, $"the host to be ready:\n{Output}\n{Error}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>What Kubernetes sends on termination.</summary>
    public void Terminate() => Assert.Equal(0, kill(process.Id, 15));

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
