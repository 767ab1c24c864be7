using System.Diagnostics;
using System.Text;
using LearnPlatform.LocalDev.LocalPostgres;

namespace LearnPlatform.Workflows.Tests.Infrastructure;

/// <summary>tests/LearnPlatform.Workflows.TestHost as a real child process, which a test can SIGKILL.</summary>
public sealed class TestHostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestHostProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static TestHostProcess Start(LocalDatabase database, params string[] arguments)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here))!;
        var testsDirectory = Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."));
        var directory = Path.Combine(testsDirectory, "LearnPlatform.Workflows.TestHost", "bin", configuration, framework);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "LearnPlatform.Workflows.TestHost.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["WORKFLOWS_TEST_DATABASE"] = database.AppConnectionString;
        return new TestHostProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the test host"));
    }

    public async Task WaitUntilReadyAsync()
    {
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(first == ready.Task, $"the test host did not get ready:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, leases are left to expire.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
