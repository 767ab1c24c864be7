using System.Diagnostics;

namespace LearnPlatform.LocalDev.LocalPostgres;

/// <summary>
/// A small shell process that waits for its standard input to close and then runs a clean-up script.
/// Its input is a pipe from this process, so the clean-up runs however this process ends: disposed,
/// returned from Main, or killed with SIGKILL. It ignores SIGINT, so a Ctrl-C in the terminal does not
/// cut it short.
/// </summary>
public sealed class Lifeline : IDisposable
{
    private readonly Process process;

    private Lifeline(Process process) => this.process = process;

    /// <param name="cleanup">A POSIX sh script; its positional parameters are <paramref name="arguments"/>.</param>
    public static Lifeline Start(string cleanup, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' INT; cat >/dev/null; {cleanup}");
        start.ArgumentList.Add("lifeline");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new Lifeline(Process.Start(start) ?? throw new LocalPostgresException("could not start sh"));
    }

    /// <summary>Runs the clean-up now and waits for it.</summary>
    public void Dispose()
    {
        process.StandardInput.Close();
        process.WaitForExit(TimeSpan.FromSeconds(60));
        process.Dispose();
    }
}
