using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Papers;

/// <summary>A paper as its authors see it: the working copy or one published version, answer keys included.</summary>
public sealed record PaperResponse(
    Guid Id,
    int Version,
    string Status,
    int? PublishedVersion,
    string Title,
    int TimeLimitSeconds,
    int MaxAttempts,
    bool GuestAccess,
    bool ShuffleQuestions,
    bool ShuffleOptions,
    string Mode,
    bool AllowHintsDuringExam,
    bool AllowCodeRuns,
    IReadOnlyList<AuthorQuestion> Questions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record AuthorQuestion(
    string Id,
    string Kind,
    string Prompt,
    IReadOnlyList<string>? Options,
    IReadOnlyList<string>? Correct,
    string? Rubric,
    string? Language,
    IReadOnlyList<AuthorCodeTest>? Tests,
    decimal Points,
    bool AiFallback,
    string? Solution,
    int? MaxSeconds);

public sealed record AuthorCodeTest(string Call, string Expected, bool Hidden);

public sealed record PaperSummary(Guid Id, int Version, string Status, int? PublishedVersion, string Title, int QuestionCount, DateTimeOffset UpdatedAt);


public static class PaperViews
{
    public static PaperResponse ToResponse(this Paper paper) =>
        paper.Content.ToResponse(paper.Id, paper.Version, paper.Status, paper.PublishedVersion, paper.CreatedAt, paper.UpdatedAt);

    /// <summary>A published version, in the same shape as the working copy; updated_at is when it was published.</summary>
    public static PaperResponse ToResponse(this PaperVersion version, Paper paper) =>
        version.Content.ToResponse(paper.Id, version.Version, PaperStatus.Published, paper.PublishedVersion, paper.CreatedAt, version.PublishedAt);

    private static PaperResponse ToResponse(this PaperSettings content, Guid id, int version, string status, int? publishedVersion, DateTimeOffset createdAt, DateTimeOffset updatedAt) =>
        new(
            id,
            version,
            status,
            publishedVersion,
            content.Title,
            content.TimeLimitSeconds,
            content.MaxAttempts,
            content.GuestAccess,
            content.ShuffleQuestions,
            content.ShuffleOptions,
            content.Mode,
            content.AllowHintsDuringExam,
            content.AllowCodeRuns,
            content.Questions.Select(ToAuthorView).ToList(),
            createdAt,
            updatedAt);

    public static AuthorQuestion ToAuthorView(this Question q) =>
        new(
            q.Id,
            q.Kind,
            q.Prompt,
            q.Options,
            q.Correct,
            q.Rubric,
            q.Language,
            q.Tests?.Select(t => new AuthorCodeTest(t.Call, t.Expected, t.Hidden)).ToList(),
            q.Points,
            q.AiFallback,
            q.Solution,
            q.MaxSeconds);
}
