using System.Text.Json;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Core.Grading;

/// <summary>A session's grades and what they add up to.</summary>
public sealed record SessionGradeSummary(string Status, decimal Score, decimal MaxScore, IReadOnlyList<QuestionGrade> Questions);

/// <summary>
/// Grades a session's answers, in steps a durable workflow can checkpoint one by one:
/// <see cref="GradeDeterministic"/> for every question (no I/O), <see cref="GradeWithAiAsync"/> for each question it
/// left open (one AI grading each, through the call guard's <see cref="AiCall"/>), then <see cref="Summarize"/>.
/// <see cref="GradeAsync"/> runs the three in a row. Without an AI call nothing is left open: answers needing a
/// judgement go to review.
/// </summary>
public sealed class SessionGrader(EssayGrader essays)
{
    /// <summary>The grade that needs no AI, or null when the answer is for <see cref="GradeWithAiAsync"/> (only when <paramref name="withAi"/>).</summary>
    public static QuestionGrade? GradeDeterministic(Question question, JsonElement? answer, bool withAi = true)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (DeterministicGrading.TryGrade(question, answer) is { } grade)
            return grade;
        return withAi && IsForAi(question) ? null : OfflineGrader.Grade(question, answer);
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
            grades.Add(GradeDeterministic(question, answer, withAi: call is not null) ?? await GradeWithAiAsync(question, answer, call!, cancellationToken));
        }
        return Summarize(grades);
    }

    private static bool IsForAi(Question question) => question.Kind is QuestionKinds.Essay or QuestionKinds.ShortText;
}
