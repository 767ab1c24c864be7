using System.Text.Json;

namespace LearnPlatform.Core.Grading;

/// <summary>Reads answers defensively: the API checks shapes on save, but grading must not trust stored data.</summary>
internal static class AnswerShape
{
    public static bool IsMissing(JsonElement? answer) =>
        answer is not { } value || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    /// <summary>A list of option strings, each counted once. False for any other shape.</summary>
    public static bool TryReadOptions(JsonElement answer, out IReadOnlyList<string> options)
    {
        options = [];
        if (answer.ValueKind != JsonValueKind.Array)
            return false;

        var chosen = new List<string>();
        foreach (var item in answer.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                return false;
            var option = item.GetString()!;
            if (!chosen.Contains(option, StringComparer.Ordinal))
                chosen.Add(option);
        }
        options = chosen;
        return true;
    }

    public static bool TryReadText(JsonElement answer, out string text)
    {
        text = answer.ValueKind == JsonValueKind.String ? answer.GetString()! : "";
        return answer.ValueKind == JsonValueKind.String;
    }
}
