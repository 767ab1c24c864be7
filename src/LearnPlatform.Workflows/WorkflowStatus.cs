namespace LearnPlatform.Workflows;

public static class WorkflowStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";

    /// <summary>Parked: out of attempts, or a non-retryable error. An operator may retry or cancel it.</summary>
    public const string Failed = "failed";

    public const string Cancelled = "cancelled";
}

/// <summary>A run as operators see it. The input and step results are left out: they may hold exam answers.</summary>
public sealed record WorkflowRunInfo(
    Guid Id,
    Guid? TenantId,
    string WorkflowType,
    string WorkflowKey,
    string Status,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset RunAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>What <see cref="WorkflowClient.StartAsync"/> did: <see cref="Created"/> is false when the key already had a run.</summary>
public sealed record WorkflowStart(Guid RunId, bool Created);
