using System.Text.Json;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Code;

namespace LearnPlatform.Core.Grading;

/// <summary>A session's grades and what they add up to.</summary>
public sealed record SessionGradeSummary(string Status, decimal Score, decimal MaxScore, IReadOnlyList<QuestionGrade> Questions);

/// <summary>
/// Grades a session's answers, in steps a durable workflow can checkpoint one by one:
/// <see cref="GradeDeterministic"/> for every question (no I/O), <see cref="GradeWithAiAsync"/> for each question it
/// left open for the AI (one AI grading each, through the call guard's <see cref="AiCall"/>) and
/// <see cref="GradeCodeAsync"/> for each it left open for the sandbox, then <see cref="Summarize"/>.
/// <see cref="GradeAsync"/> runs them in a row. Without an AI call or a sandbox nothing is left open for it: those
/// answers go to review.
/// </summary>
public sealed class SessionGrader(EssayGrader essays, CodeGrader? codeGrader = null)
{
    public bool HasCodeGrader => codeGrader is not null;

    /// <summary>
    /// The grade that needs no AI and no sandbox, or null when the answer is for <see cref="GradeWithAiAsync"/> (only
    /// when <paramref name="withAi"/>) or for <see cref="GradeCodeAsync"/> (only with a sandbox).
    /// </summary>
    public QuestionGrade? GradeDeterministic(Question question, JsonElement? answer, bool withAi = true)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (DeterministicGrading.TryGrade(question, answer) is { } grade)
            return grade;
        return (withAi && IsForAi(question)) || (codeGrader is not null && IsForSandbox(question)) ? null : OfflineGrader.Grade(question, answer);
    }

    /// <summary>Whether an answer <see cref="GradeDeterministic"/> left open is for the sandbox (else for the AI).</summary>
    public static bool IsForSandbox(Question question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return question.Kind == QuestionKinds.Code;
    }

    /// <summary>
    /// Runs a code answer against every test of its question in the sandbox; answers the rules settle (a blank one)
    /// are settled by them instead. Throws <see cref="Sandbox.Client.SandboxUnavailableException"/> when the sandbox
    /// cannot run it now (retry, or give up with <see cref="AwaitingCodeReview"/>).
    /// </summary>
    public async Task<QuestionGrade> GradeCodeAsync(Question question, JsonElement? answer, CancellationToken cancellationToken)
    {
        if (GradeDeterministic(question, answer, withAi: false) is { } grade)
            return grade;
        return await codeGrader!.GradeAsync(question, answer!.Value.GetString()!, cancellationToken);
    }

    /// <summary>The grade to record for a code answer the sandbox could not run.</summary>
    public static QuestionGrade AwaitingCodeReview(Question question, string reason)
    {
        ArgumentNullException.ThrowIfNull(question);
        return OfflineGrader.AwaitingReview(question, reason);
    }

    /// <summary>
    /// Grades one answer with the AI; any answer the rules can settle is settled by them instead, so this is safe to
    /// call for any question. Throws <see cref="GeminiException"/> when Gemini fails (retry, or give up with
    /// <see cref="AwaitingReview(Question, GeminiException)"/>).
    /// </summary>
    public async Task<QuestionGrade> GradeWithAiAsync(Question question, JsonElement? answer, AiCall call, CancellationToken cancellationToken)
    {
        if (GradeDeterministic(question, answer) is { } grade)
            return grade;
        return await essays.GradeAsync(question, answer!.Value.GetString()!, call, cancellationToken);
    }

    /// <summary>The grade to record when the workflow gives up on the AI for a question.</summary>
    public static QuestionGrade AwaitingReview(Question question, GeminiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return AwaitingReview(question, $"Awaiting review (AI grading failed: {error.ClientMessage})");
    }

    /// <summary>The grade to record for a question the AI was to grade but a person now has to.</summary>
    public static QuestionGrade AwaitingReview(Question question, string reason)
    {
        ArgumentNullException.ThrowIfNull(question);
        return OfflineGrader.AwaitingReview(question, reason, GradeSource.Ai);
    }

    /// <summary>graded only when every question is graded; the score adds up the graded questions, the maximum all of them.</summary>
    public static SessionGradeSummary Summarize(IReadOnlyList<QuestionGrade> grades)
    {
        ArgumentNullException.ThrowIfNull(grades);
        var status = grades.All(grade => grade.Status == GradeStatus.Graded) ? GradeStatus.Graded : GradeStatus.NeedsReview;
        var score = grades.Where(grade => grade.Status == GradeStatus.Graded).Sum(grade => grade.Score ?? 0m);
        return new SessionGradeSummary(status, score, grades.Sum(grade => grade.MaxScore), grades);
    }

    /// <param name="call">The AI call to grade with, or null to grade without the AI.</param>
    public async Task<SessionGradeSummary> GradeAsync(IReadOnlyList<Question> questions, IReadOnlyDictionary<string, JsonElement> answers, AiCall? call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(answers);
        var grades = new List<QuestionGrade>(questions.Count);
        foreach (var question in questions)
        {
            JsonElement? answer = answers.TryGetValue(question.Id, out var value) ? value : null;
            grades.Add(GradeDeterministic(question, answer, withAi: call is not null)
                ?? (IsForSandbox(question) ? await GradeCodeAsync(question, answer, cancellationToken) : await GradeWithAiAsync(question, answer, call!, cancellationToken)));
        }
        return Summarize(grades);
    }

    private static bool IsForAi(Question question) => question.Kind is QuestionKinds.Essay or QuestionKinds.ShortText or QuestionKinds.Spoken;
}
