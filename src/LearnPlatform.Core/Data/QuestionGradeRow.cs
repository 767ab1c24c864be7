using LearnPlatform.Core.Grading;

namespace LearnPlatform.Core.Data;

/// <summary>
/// One question's grade in a session: what the automatic grader (rules or AI) gave, and a human override beside it.
/// The override counts when present; the automatic grade is kept so reviewers and statistics can compare the two.
/// </summary>
public sealed class QuestionGradeRow
{
    public Guid TenantId { get; set; }
    public Guid SessionId { get; set; }
    public required string QuestionId { get; set; }
    public decimal MaxScore { get; set; }

    public decimal? AutoScore { get; set; }

    /// <summary>graded, or needs_review when the automatic grade could not be trusted (or there is none yet).</summary>
    public string AutoStatus { get; set; } = GradeStatus.NeedsReview;

    /// <summary>rules (deterministic) or ai.</summary>
    public string? AutoSource { get; set; }

    public string? AutoFeedback { get; set; }
    public double? AutoConfidence { get; set; }
    public DateTimeOffset? AutoGradedAt { get; set; }

    public decimal? OverrideScore { get; set; }
    public string? OverrideReason { get; set; }
    public string? OverriddenBy { get; set; }
    public DateTimeOffset? OverriddenAt { get; set; }

    public decimal? EffectiveScore => OverrideScore ?? (AutoStatus == GradeStatus.Graded ? AutoScore : null);
}
