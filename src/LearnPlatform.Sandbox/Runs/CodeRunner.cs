using System.Security.Cryptography;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>Runs a validated request through the configured isolation backend and decides its result.</summary>
internal sealed class CodeRunner(IIsolationBackend backend, RuntimeCatalog runtimes, SandboxOptions options)
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
        var runtime = await runtimes.GetAsync(request.Language!);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var input = HarnessProtocol.Input(nonce, request.Code!, tests.Select(t => t.Call!));
        var run = new SandboxRun(runtime, input,
            request.Limits?.TimeMs ?? SandboxOptions.DefaultTimeMs,
            request.Limits?.MemoryMb ?? SandboxOptions.DefaultMemoryMb,
            options.OutputLimitBytes + (tests.Count + 1) * (long)ReportBytesPerTest,
            options.OutputLimitBytes);
        var outcome = await backend.RunAsync(run, cancellationToken);
        var report = HarnessReport.Parse(outcome.Stdout, nonce);
        // None of the program's code ran before the harness's first report: whatever failed is the service's.
        return report.Started ? RunVerdict.Decide(tests, report, outcome) : throw IsolationFailed(outcome);
    }

    private RuntimeUnavailableException IsolationFailed(ProcessOutcome outcome)
    {
        var how = outcome.Stopped == StopReason.WallTime ? "no start within the time limit" : $"exit code {outcome.ExitCode}";
        var said = System.Text.Encoding.UTF8.GetString(outcome.Stderr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return new RuntimeUnavailableException($"the {backend.Name} isolation failed before the program started ({how}){(said is null ? "" : $": {said}")}");
    }
}
