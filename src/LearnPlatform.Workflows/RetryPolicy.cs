namespace LearnPlatform.Workflows;

/// <summary>
/// When a failed run is tried again: exponential backoff with jitter, Temporal's defaults
/// (1 s initial interval, coefficient 2, at most 100 s). The delay is a pure function of the attempt that
/// failed and a random number, so it can be tested with a fixed one.
/// </summary>
public sealed record RetryPolicy
{
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);
    public double BackoffCoefficient { get; init; } = 2.0;
    public TimeSpan MaximumInterval { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>The delay varies by up to this fraction either way, so runs that failed together do not retry together.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <param name="failedAttempt">The attempt that just failed, from 1.</param>
    /// <param name="random">A number in [0, 1): 0.5 gives the delay without jitter.</param>
    public TimeSpan DelayAfter(int failedAttempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var maximum = MaximumInterval.TotalMilliseconds;
        var exponential = InitialInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, failedAttempt - 1);
        var capped = Math.Min(exponential, maximum);
        var jittered = capped * (1 + Jitter * (2 * random - 1));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, maximum));
    }

    internal void Validate()
    {
        if (InitialInterval <= TimeSpan.Zero || MaximumInterval < InitialInterval || BackoffCoefficient < 1 || Jitter is < 0 or >= 1)
        {
            throw new ArgumentException("RetryPolicy needs InitialInterval > 0, MaximumInterval >= InitialInterval, BackoffCoefficient >= 1 and 0 <= Jitter < 1.");
        }
    }
}
