using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>How grading runs retry (configuration section "Grading").</summary>
public sealed class GradingOptions
{
    public const string SectionName = "Grading";

    /// <summary>Run attempts during which a Gemini outage, rate limit or timeout is retried; after them the answer goes to review.</summary>
    public int AiAttempts { get; set; } = 6;

    /// <summary>Run attempts during which an unreachable or busy code sandbox is retried; after them the answer goes to review.</summary>
    public int SandboxAttempts { get; set; } = 6;

    /// <summary>Attempts before a run failing for any other reason (the database unreachable) is parked for an operator.</summary>
    public int MaxAttempts { get; set; } = 12;

    public TimeSpan RetryInitialInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaximumInterval { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>One AI grading, its in-grader retries for unusable output included.</summary>
    public TimeSpan AiStepTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>One code answer's runs in the sandbox (visible tests, then hidden ones), waits in its queue included.</summary>
    public TimeSpan CodeStepTimeout { get; set; } = TimeSpan.FromMinutes(3);

    internal WorkflowOptions Workflow => new()
    {
        MaxAttempts = MaxAttempts,
        Retry = new RetryPolicy { InitialInterval = RetryInitialInterval, MaximumInterval = RetryMaximumInterval },
    };
}
