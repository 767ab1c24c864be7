namespace LearnPlatform.Workflows;

/// <summary>Thrown by an activity (or workflow code) for an error that retrying cannot fix: the run is parked as <c>failed</c> at once.</summary>
public class NonRetryableActivityException : Exception
{
    public NonRetryableActivityException()
    {
    }

    public NonRetryableActivityException(string message) : base(message)
    {
    }

    public NonRetryableActivityException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown by an activity for a retryable error whose source said how long to wait (an HTTP 429's retry delay):
/// the run is retried no sooner than that, or after the retry policy's delay if that is longer.
/// </summary>
public sealed class RetryLaterException : Exception
{
    public RetryLaterException()
    {
    }

    public RetryLaterException(string message) : base(message)
    {
    }

    public RetryLaterException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public RetryLaterException(string message, TimeSpan retryAfter, Exception? innerException = null) : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan RetryAfter { get; }
}

/// <summary>An activity ran past its start-to-close timeout. Retryable.</summary>
public sealed class ActivityTimeoutException : TimeoutException
{
    public ActivityTimeoutException()
    {
    }

    public ActivityTimeoutException(string message) : base(message)
    {
    }

    public ActivityTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }

    internal static ActivityTimeoutException For(string stepId, TimeSpan timeout) =>
        new($"activity of step '{stepId}' did not finish within its start-to-close timeout of {timeout.TotalSeconds:0.###} s");
}

/// <summary>
/// Unwinds workflow code when it sleeps on a durable timer that is not yet due: the run is saved as pending until then.
/// Workflow code must let it propagate (the engine also notices if it is swallowed).
/// </summary>
public sealed class WorkflowSuspendedException : Exception
{
    public WorkflowSuspendedException()
    {
    }

    public WorkflowSuspendedException(string message) : base(message)
    {
    }

    public WorkflowSuspendedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The workflow key is taken by a run this connection cannot see (another tenant's).</summary>
public sealed class WorkflowKeyConflictException : Exception
{
    public WorkflowKeyConflictException()
    {
    }

    public WorkflowKeyConflictException(string message) : base(message)
    {
    }

    public WorkflowKeyConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The run's stored input does not deserialize into the registered input type; parked, not retried.</summary>
internal sealed class WorkflowInputException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>This worker no longer holds the run (its lease expired and was rescued, or the run was cancelled).</summary>
internal sealed class LeaseLostException(string message) : Exception(message);
