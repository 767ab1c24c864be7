namespace LearnPlatform.Core.Grading;

/// <summary>
/// The grade of one question. Score is null while the grade needs a human (Status needs_review); an AI
/// grade that went to review keeps the AI's suggestion in Items, Feedback and Confidence.
/// </summary>
public sealed record QuestionGrade(
    string QuestionId,
    decimal? Score,
    decimal MaxScore,
    string Status,
    string Source,
    string? Feedback,
    double? Confidence,
    IReadOnlyList<RubricItemScore>? Items);

/// <summary>The score given for one rubric criterion.</summary>
public sealed record RubricItemScore(string Criterion, decimal Score, decimal Max);

public static class GradeStatus
{
    public const string Graded = "graded";
    public const string NeedsReview = "needs_review";
}

public static class GradeSource
{
    /// <summary>Rules (choice, short text, blank answers) or a placeholder awaiting a human.</summary>
    public const string Auto = "auto";

    /// <summary>The AI grader.</summary>
    public const string Ai = "ai";
}
