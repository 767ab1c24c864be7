using System.Text;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>
/// Decides each test and the run's status here, in the service: a test passes when the reported value equals its
/// expected value after trimming surrounding whitespace. A limit that stopped the run fails every test without a
/// value, with the limit as the reason; so does a module that failed, with its exception.
/// </summary>
internal static class RunVerdict
{
    public const string TimeLimit = "time limit exceeded";
    public const string MemoryLimit = "memory limit exceeded";
    public const string OutputLimit = "output limit exceeded";

    private const int SigKill = 9;
    private const int SigXcpu = 24;

    public static RunResult Decide(IReadOnlyList<RunTest> tests, HarnessReport report, ProcessOutcome outcome)
    {
        var stderr = Encoding.UTF8.GetString(outcome.Stderr);
        var limit = Limit(report, outcome, stderr);
        var ended = report.ModuleError is { } moduleError ? $"the program failed: {Memory(moduleError)}"
            : limit?.Reason ?? $"the program ended before this test ran ({ExitDescription(outcome.ExitCode)})";
        var results = tests.Select((test, index) => report.Tests.TryGetValue(index, out var record)
            ? Reported(test, record)
            : new TestResult(test.Call!, test.Expected!, null, false, ended)).ToList();
        var status = limit?.Status
            ?? (report.ModuleError is not null || !report.Done ? RunStatus.Error
            : results.All(r => r.Passed) ? RunStatus.Passed : RunStatus.Failed);
        return new RunResult(status, results, Cut(report.ProgramStdout), Cut(stderr), (long)outcome.Elapsed.TotalMilliseconds);
    }

    private static TestResult Reported(RunTest test, TestReport record) => record.Error is { } error
        ? new TestResult(test.Call!, test.Expected!, null, false, Memory(error))
        : new TestResult(test.Call!, test.Expected!, record.Actual, !record.Truncated && Same(record.Actual, test.Expected), null);

    private static bool Same(string? actual, string? expected) =>
        actual is not null && expected is not null && string.Equals(actual.Trim(), expected.Trim(), StringComparison.Ordinal);

    private static (RunStatus Status, string Reason)? Limit(HarnessReport report, ProcessOutcome outcome, string stderr)
    {
        if (outcome.Stopped == StopReason.Output)
        {
            return (RunStatus.OutputLimit, OutputLimit);
        }
        if (outcome.Stopped == StopReason.WallTime || outcome.ExitCode == 128 + SigXcpu)
        {
            return (RunStatus.Timeout, TimeLimit);
        }
        var errors = report.Tests.Values.Select(r => r.Error).Append(report.ModuleError);
        if (outcome.OutOfMemory || errors.Any(e => e is not null && IsMemoryError(e))
            || stderr.Contains("JavaScript heap out of memory", StringComparison.Ordinal))
        {
            return (RunStatus.MemoryLimit, MemoryLimit);
        }
        return null;
    }

    private static bool IsMemoryError(string error) =>
        error.StartsWith("MemoryError", StringComparison.Ordinal) || error.StartsWith("RangeError: Array buffer allocation failed", StringComparison.Ordinal);

    private static string Memory(string error) => IsMemoryError(error) ? $"{MemoryLimit}: {error}" : error;

    private static string ExitDescription(int exitCode) => exitCode switch
    {
        128 + SigKill => "killed",
        > 128 => $"signal {exitCode - 128}",
        _ => $"exit code {exitCode}",
    };

    private static string Cut(string text) => text.Length <= RunResult.MaxOutputChars ? text : text[..RunResult.MaxOutputChars];
}
