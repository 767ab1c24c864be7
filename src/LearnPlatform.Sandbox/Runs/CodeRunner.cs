using System.Security.Cryptography;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>Runs a validated request in a sandbox of the configured isolation backend and decides its result.</summary>
internal sealed class CodeRunner(IIsolationBackend backend, RuntimeCatalog runtimes, SandboxPool sandboxes, SandboxOptions options)
{
    /// <summary>A report line per test: its value (at most 2048 characters, hex-encoded UTF-8) and framing.</summary>
    private const int ReportBytesPerTest = 2048 * 4 * 2 + 128;

    /// <exception cref="RuntimeUnavailableException">The backend or the language's runtime cannot be used.</exception>
    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (backend.Unusable() is { } reason)
        {
            throw new RuntimeUnavailableException(reason);
        }
        var tests = request.Tests!;
        var shape = new SandboxShape(await runtimes.GetAsync(request.Language!),
            request.Limits?.TimeMs ?? SandboxOptions.DefaultTimeMs,
            request.Limits?.MemoryMb ?? SandboxOptions.DefaultMemoryMb);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var input = HarnessProtocol.Input(nonce, request.Code!, tests.Select(t => t.Call!));
        var stdoutLimit = options.OutputLimitBytes + (tests.Count + 1) * (long)ReportBytesPerTest;

        var (outcome, report) = await RunInAsync(await sandboxes.TakeAsync(shape, cancellationToken), input, stdoutLimit, nonce, cancellationToken);
        if (!report.Started)
        {
            // None of the program's code ran (the harness reports before it runs any), so running it once more is safe:
            // a waiting sandbox that was killed just as it was taken is replaced by one started now.
            (outcome, report) = await RunInAsync(await sandboxes.StartAsync(shape, cancellationToken), input, stdoutLimit, nonce, cancellationToken);
        }
        return report.Started ? RunVerdict.Decide(tests, report, outcome) : throw IsolationFailed(outcome);
    }

    private static async Task<(ProcessOutcome Outcome, HarnessReport Report)> RunInAsync(SandboxedProcess sandbox, byte[] input, long stdoutLimit, string nonce, CancellationToken cancellationToken)
    {
        await using (sandbox)
        {
            var outcome = await sandbox.RunAsync(input, stdoutLimit, cancellationToken);
            return (outcome, HarnessReport.Parse(outcome.Stdout, nonce));
        }
    }

    private RuntimeUnavailableException IsolationFailed(ProcessOutcome outcome)
    {
        var how = outcome.Stopped == StopReason.WallTime ? "no start within the time limit" : $"exit code {outcome.ExitCode}";
        var said = System.Text.Encoding.UTF8.GetString(outcome.Stderr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return new RuntimeUnavailableException($"the {backend.Name} isolation failed before the program started ({how}){(said is null ? "" : $": {said}")}");
    }
}
