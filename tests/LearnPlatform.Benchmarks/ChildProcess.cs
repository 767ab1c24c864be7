using System.Diagnostics;
using System.Text;

namespace LearnPlatform.Benchmarks;

/// <summary>A .NET program (the API, a yardstick server) in its own process, the way it runs in production.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ChildProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
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

    public static ChildProcess Start(string dll, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}"));
    }

    /// <summary>Runs a command of the program to its end and returns what it printed; throws unless it exits with 0.</summary>
    public static async Task<string> RunAsync(string dll, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using var child = Start(dll, environment, arguments);
        await child.process.WaitForExitAsync();
        child.process.WaitForExit();
        return child.process.ExitCode == 0
            ? child.Output
            : throw new InvalidOperationException($"{Path.GetFileName(dll)} {string.Join(' ', arguments)} failed ({child.process.ExitCode}):\n{child.Output}");
    }

    /// <summary>Waits until <paramref name="url"/> answers 200.</summary>
    public async Task WaitUntilOkAsync(Uri url)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the process exited ({process.ExitCode}):\n{Output}");
            }
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not answer 200 within a minute:\n{Output}");
    }

    private void Append(string? line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }

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
