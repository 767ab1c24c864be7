namespace LearnPlatform.Workflows;

/// <summary>How a workflow type is retried. Set once, when the type is registered.</summary>
public sealed record WorkflowOptions
{
    public static readonly WorkflowOptions Default = new();

    /// <summary>Attempts before the run is parked as <c>failed</c> for an operator (a worker crash counts as one).</summary>
    public int MaxAttempts { get; init; } = 25;

    public RetryPolicy Retry { get; init; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
        Retry.Validate();
    }
}

/// <summary>How one activity (a step's side effect) runs.</summary>
public sealed record ActivityOptions
{
    public static readonly ActivityOptions Default = new();

    /// <summary>How long one execution of the activity may take; past it the attempt fails with <see cref="ActivityTimeoutException"/> (retryable).</summary>
    public TimeSpan StartToCloseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Errors that retrying cannot fix: the run is parked at once. <see cref="NonRetryableActivityException"/> always is.</summary>
    public Func<Exception, bool>? IsNonRetryable { get; init; }
}
