using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;
using LearnPlatform.Sandbox.Runs;

namespace LearnPlatform.Sandbox.Health;

/// <summary>
/// Ready means a trivial Python program just ran through the real isolation and gave the right answer. The answer
/// is kept for a few seconds, so probes (and anyone else who can reach /readyz) cost one run at a time at most.
/// </summary>
internal sealed class ReadinessProbe(IIsolationBackend backend, CodeRunner runner, ILogger<ReadinessProbe> logger) : IDisposable
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(5);
    private static readonly RunRequest Trivial = new(RunLanguages.Python, "answer = 6 * 7", [new RunTest("answer", "42")], new RunLimits(TimeMs: 5000));
    private readonly SemaphoreSlim one = new(1, 1);
    private (DateTimeOffset At, string? Problem)? last;

    /// <summary>Null when ready, else one line saying why not.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        await one.WaitAsync(cancellationToken);
        try
        {
            if (last is { } known && DateTimeOffset.UtcNow - known.At < Keep)
            {
                return known.Problem;
            }
            var problem = await CheckAsync(cancellationToken);
            if (problem != last?.Problem)
            {
                if (problem is null)
                {
                    SandboxLog.Ready(logger, backend.Name);
                }
                else
                {
                    SandboxLog.NotReady(logger, problem);
                }
            }
            last = (DateTimeOffset.UtcNow, problem);
            return problem;
        }
        finally
        {
            one.Release();
        }
    }

    private async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (backend.Unusable() is { } reason)
        {
            return $"{backend.Name}: {reason}";
        }
        try
        {
            var result = await runner.RunAsync(Trivial, cancellationToken);
            return result.Status == RunStatus.Passed
                ? null
                : $"{backend.Name}: a trivial program ended with {result.Status}: {FirstLine(result.Stderr) ?? result.Tests[0].Error}";
        }
        catch (RuntimeUnavailableException e)
        {
            return $"{backend.Name}: {e.Message}";
        }
    }

    public void Dispose() => one.Dispose();

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
