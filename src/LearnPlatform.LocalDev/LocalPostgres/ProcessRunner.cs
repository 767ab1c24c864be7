using System.Diagnostics;

namespace LearnPlatform.LocalDev.LocalPostgres;

internal static class ProcessRunner
{
    /// <summary>initdb refuses to run as root, so as root the PostgreSQL tools run as the postgres system user.</summary>
    public static bool RunsAsRoot => Environment.UserName == "root" || geteuid() == 0;

    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, CancellationToken ct, bool asPostgresUser = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser && RunsAsRoot)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = file;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new LocalPostgresException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            var lastLine = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            throw new LocalPostgresException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}): {lastLine}");
        }
        return output;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
