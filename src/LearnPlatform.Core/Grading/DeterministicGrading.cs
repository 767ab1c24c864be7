using System.Text.Json;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Text;

namespace LearnPlatform.Core.Grading;

/// <summary>
/// The grading rules that need no judgement. Pure: the same question and answer always give the same grade.
/// <list type="bullet">
/// <item>A missing, null or blank answer scores 0, whatever the kind; so does an answer of the wrong shape.</item>
/// <item>single_choice: full points when the one chosen option is a correct one, else 0.</item>
/// <item>multiple_choice: with k correct options, points × max(0, (correct chosen − wrong chosen) / k), rounded to
/// 2 decimals (half away from zero). An option chosen twice counts once; an option the question does not have counts as wrong.</item>
/// <item>short_text: full points when the answer equals an accepted answer after <see cref="ShortTextNormalizer"/>;
/// otherwise 0, unless the question allows the AI fallback.</item>
/// </list>
/// </summary>
public static class DeterministicGrading
{
    /// <summary>
    /// The grade the rules give, or null when the answer needs a judgement: an essay, a code answer, a question of
    /// an unknown kind, or a short_text answer matching no accepted answer on a question with AiFallback.
    /// </summary>
    public static QuestionGrade? TryGrade(Question question, JsonElement? answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (AnswerShape.IsMissing(answer))
            return Zero(question, GradeFeedback.NoAnswer);

        var value = answer!.Value;
        if (QuestionKinds.IsChoice(question.Kind))
        {
            if (!AnswerShape.TryReadOptions(value, out var chosen))
                return Zero(question, GradeFeedback.UnreadableAnswer);
            if (chosen.Count == 0)
                return Zero(question, GradeFeedback.NoAnswer);
            return question.Kind == QuestionKinds.SingleChoice ? GradeSingleChoice(question, chosen) : GradeMultipleChoice(question, chosen);
        }

        if (!AnswerShape.TryReadText(value, out var text))
            return Zero(question, GradeFeedback.UnreadableAnswer);
        if (string.IsNullOrWhiteSpace(text))
            return Zero(question, GradeFeedback.NoAnswer);
        return question.Kind == QuestionKinds.ShortText ? GradeShortText(question, text) : null;
    }

    /// <summary>The multiple-choice partial-credit rule, on its own so its table can be checked directly.</summary>
    public static decimal PartialCredit(decimal points, int correctOptions, int correctChosen, int wrongChosen)
    {
        if (correctOptions <= 0)
            return 0m;
        var fraction = Math.Max(0, correctChosen - wrongChosen);
        return Math.Round(points * fraction / correctOptions, 2, MidpointRounding.AwayFromZero);
    }

    private static QuestionGrade GradeSingleChoice(Question question, IReadOnlyList<string> chosen)
    {
        var correct = AnswerKey(question);
        if (correct.Count == 0)
            return NoAnswerKey(question);
        var right = chosen.Count == 1 && correct.Contains(chosen[0]);
        return right ? Full(question) : Zero(question, GradeFeedback.Incorrect);
    }

    private static QuestionGrade GradeMultipleChoice(Question question, IReadOnlyList<string> chosen)
    {
        var correct = AnswerKey(question);
        if (correct.Count == 0)
            return NoAnswerKey(question);

        var correctChosen = chosen.Count(correct.Contains);
        var wrongChosen = chosen.Count - correctChosen;
        var score = PartialCredit(question.Points, correct.Count, correctChosen, wrongChosen);
        var feedback = score == question.Points ? GradeFeedback.Correct
            : score == 0 ? GradeFeedback.Incorrect
            : GradeFeedback.PartiallyCorrect;
        return Graded(question, score, feedback);
    }

    private static QuestionGrade? GradeShortText(Question question, string text)
    {
        var accepted = (question.Correct ?? [])
            .Select(ShortTextNormalizer.Normalize)
            .Where(normalized => normalized.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
        if (accepted.Contains(ShortTextNormalizer.Normalize(text)))
            return Full(question);
        if (question.AiFallback)
            return null;
        return accepted.Count == 0 ? NoAnswerKey(question) : Zero(question, GradeFeedback.Incorrect);
    }

    private static HashSet<string> AnswerKey(Question question) => (question.Correct ?? []).ToHashSet(StringComparer.Ordinal);

    private static QuestionGrade Full(Question question) => Graded(question, question.Points, GradeFeedback.Correct);

    private static QuestionGrade Zero(Question question, string feedback) => Graded(question, 0m, feedback);

    private static QuestionGrade Graded(Question question, decimal score, string feedback) =>
        new(question.Id, score, question.Points, GradeStatus.Graded, GradeSource.Auto, feedback, null, null);

    private static QuestionGrade NoAnswerKey(Question question) =>
        new(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Auto, GradeFeedback.NoAnswerKey, null, null);
}
