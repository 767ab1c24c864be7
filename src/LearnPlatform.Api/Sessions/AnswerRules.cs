using System.Text.Json;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Sessions;

/// <summary>Checks an answer against its question's kind. Returns an error message, or null when the answer is acceptable.</summary>
public static class AnswerRules
{
    public const int MaxTextLength = 100_000;
    public const int MaxShortTextLength = 1_000;

    public static string? Check(Question question, JsonElement answer)
    {
        if (QuestionKinds.IsChoice(question.Kind))
        {
            if (answer.ValueKind != JsonValueKind.Array)
            {
                return "A choice answer is a list of option strings.";
            }
            var chosen = new List<string>();
            foreach (var item in answer.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return "A choice answer is a list of option strings.";
                }
                chosen.Add(item.GetString()!);
            }
            if (chosen.Any(c => question.Options?.Contains(c) != true))
            {
                return "The answer names an option the question does not have.";
            }
            if (chosen.Distinct().Count() != chosen.Count)
            {
                return "An option is chosen more than once.";
            }
            return question.Kind == QuestionKinds.SingleChoice && chosen.Count > 1 ? "A single-choice answer names at most one option." : null;
        }

        if (question.Kind == QuestionKinds.Spoken)
        {
            return "A spoken answer is uploaded as audio (PUT .../responses/{question_id}/audio); its transcript is saved as the answer.";
        }
        if (answer.ValueKind != JsonValueKind.String)
        {
            return "A text answer is a JSON string.";
        }
        var limit = question.Kind == QuestionKinds.ShortText ? MaxShortTextLength : MaxTextLength;
        return answer.GetString()!.Length > limit ? $"The answer is longer than {limit} characters." : null;
    }
}
