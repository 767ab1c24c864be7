using System.Text.Json;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Core.Grading;

/// <summary>
/// Grading without an AI grader (no Gemini key configured) or a code sandbox (no Sandbox__BaseUrl): the rules grade
/// what they can; every answer that needs a judgement or a run waits for a human.
/// </summary>
public static class OfflineGrader
{
    public static QuestionGrade Grade(Question question, JsonElement? answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        return DeterministicGrading.TryGrade(question, answer) ?? AwaitingReview(question, ReasonFor(question.Kind));
    }

    internal static string ReasonFor(string kind) => kind switch
    {
        QuestionKinds.Code => GradeFeedback.NoCodeSandbox,
        QuestionKinds.Essay or QuestionKinds.ShortText or QuestionKinds.Spoken => GradeFeedback.NoAiGrader,
        _ => GradeFeedback.UnknownKind,
    };

    internal static QuestionGrade AwaitingReview(Question question, string feedback, string source = GradeSource.Auto) =>
        new(question.Id, null, question.Points, GradeStatus.NeedsReview, source, feedback, null, null);
}
