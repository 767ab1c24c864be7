using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Papers;

/// <summary>
/// What a candidate or guest may see of a paper. These types have no field for answer keys, rubrics or hidden
/// tests, so no candidate-facing route can leak them by accident.
/// </summary>
public sealed record CandidateQuestion(
    string Id,
    string Kind,
    string Prompt,
    decimal Points,
    IReadOnlyList<string>? Options,
    string? Language,
    IReadOnlyList<CandidateCodeTest>? Tests,
    int? MaxSeconds);

public sealed record CandidateCodeTest(string Call, string Expected);

/// <summary>hints_allowed says whether the hint route answers for this paper; the mode is shown so practice can be told from exams.</summary>
public sealed record ExamListItem(Guid Id, int Version, string Title, int TimeLimitSeconds, int MaxAttempts, bool GuestAccess, string Mode, bool HintsAllowed, int QuestionCount, decimal TotalPoints);

/// <summary>
/// What a candidate previews before starting. Questions (without answer keys) only for practice papers: an exam's
/// questions are served only inside a started session, so its time limit means something.
/// </summary>
public sealed record ExamPreview(
    Guid Id,
    int Version,
    string Title,
    int TimeLimitSeconds,
    int MaxAttempts,
    bool GuestAccess,
    string Mode,
    bool HintsAllowed,
    int QuestionCount,
    decimal TotalPoints,
    int AttemptsLeft,
    IReadOnlyList<CandidateQuestion>? Questions);

public static class CandidateViews
{
    /// <param name="optionOrder">The session's order of the options, as indexes into the authored list; null keeps the authored order.</param>
    public static CandidateQuestion ToCandidateView(this Question question, IReadOnlyList<int>? optionOrder = null) =>
        new(
            question.Id,
            question.Kind,
            question.Prompt,
            question.Points,
            question.Options is { } options && optionOrder is not null ? optionOrder.Select(i => options[i]).ToList() : question.Options,
            question.Language,
            question.Tests?.Where(t => !t.Hidden).Select(t => new CandidateCodeTest(t.Call, t.Expected)).ToList(),
            question.MaxSeconds);

    public static ExamListItem ToExamListItem(this PaperVersion version) =>
        new(
            version.PaperId,
            version.Version,
            version.Content.Title,
            version.Content.TimeLimitSeconds,
            version.Content.MaxAttempts,
            version.Content.GuestAccess,
            version.Content.Mode,
            version.Content.HintsAllowed,
            version.Content.Questions.Count,
            version.Content.Questions.Sum(q => q.Points));

    public static ExamPreview ToExamPreview(this PaperVersion version, int attemptsUsed) =>
        new(
            version.PaperId,
            version.Version,
            version.Content.Title,
            version.Content.TimeLimitSeconds,
            version.Content.MaxAttempts,
            version.Content.GuestAccess,
            version.Content.Mode,
            version.Content.HintsAllowed,
            version.Content.Questions.Count,
            version.Content.Questions.Sum(q => q.Points),
            Math.Max(0, version.Content.MaxAttempts - attemptsUsed),
            version.Content.Mode == PaperModes.Practice ? version.Content.Questions.Select(q => q.ToCandidateView()).ToList() : null);
}
