namespace LearnPlatform.Core.Data;

public sealed class ExamSession
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid PaperId { get; set; }
    public int PaperVersion { get; set; }

    /// <summary>The candidate's uid; null for a guest session.</summary>
    public string? CandidateUid { get; set; }

    public int Attempt { get; set; }
    public string Status { get; set; } = SessionStatus.InProgress;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset Deadline { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>The order this session shows questions and options in, fixed at start.</summary>
    public IReadOnlyList<QuestionOrder> Layout { get; set; } = [];

    public decimal? Score { get; set; }
    public decimal? MaxScore { get; set; }
    public DateTimeOffset? GradedAt { get; set; }

    /// <summary>The grading run whose grades count; a regrade replaces it, and a superseded run writes nothing.</summary>
    public Guid? GradingRunId { get; set; }

    /// <summary>Code runs the candidate made in this session (POST .../run), held to a per-session cap.</summary>
    public int CodeRuns { get; set; }
}

/// <summary>A question's place in a session, with the order of its options as indexes into the authored list.</summary>
public sealed record QuestionOrder(string QuestionId, IReadOnlyList<int>? OptionOrder);

public static class SessionStatus
{
    public const string InProgress = "in_progress";
    public const string Submitted = "submitted";
    public const string Grading = "grading";
    public const string Graded = "graded";
    public const string NeedsReview = "needs_review";
}

public sealed class SessionResponse
{
    public Guid TenantId { get; set; }
    public Guid SessionId { get; set; }
    public required string QuestionId { get; set; }

    /// <summary>The answer as JSON: a string, or a list of option strings for choice questions.</summary>
    public required string Answer { get; set; }

    public int Version { get; set; }
    public DateTimeOffset SavedAt { get; set; }
}

public sealed class Accommodation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public required string CandidateUid { get; set; }

    /// <summary>Null: every paper of the tenant. A paper's own accommodation wins over the tenant-wide one.</summary>
    public Guid? PaperId { get; set; }

    public decimal TimeMultiplier { get; set; } = 1m;
    public int ExtraMinutes { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Append-only: the application role may insert and read, never update or delete (retention purges through purge_audit_events).</summary>
public sealed class AuditEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Null only for a sign-in failure that names no tenant we can trust; no tenant admin reads those.</summary>
    public Guid? TenantId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Resource { get; set; }
    public required string Outcome { get; set; }
    public string? ClientIp { get; set; }
    public string? Details { get; set; }
}
