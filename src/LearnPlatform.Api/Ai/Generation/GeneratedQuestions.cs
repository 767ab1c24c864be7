using System.Text.Json;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Ai.Generation;

/// <summary>
/// Turns the model's JSON into the paper's question shape and holds it to the same validator authors' questions
/// pass. The kind and the ids are ours, never the model's; anything the schema does not name is ignored.
/// </summary>
public static class GeneratedQuestions
{
    /// <returns>The questions, or null when the answer is not exactly <paramref name="count"/> valid questions.</returns>
    public static IReadOnlyList<Question>? Read(JsonElement output, string kind, int count, IReadOnlyCollection<string> takenIds)
    {
        if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("questions", out var list)
            || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != count)
            return null;

        var validator = new QuestionRequestValidator();
        var questions = new List<Question>();
        var ids = new HashSet<string>(takenIds, StringComparer.Ordinal);
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || ToRequest(item, kind, NewId(ids)) is not { } request || !validator.Validate(request).IsValid)
                return null;
            questions.Add(request.ToQuestion());
        }
        return questions;
    }

    private static QuestionRequest? ToRequest(JsonElement item, string kind, string id)
    {
        if (!TryString(item, "prompt", out var prompt) || !item.TryGetProperty("points", out var points)
            || points.ValueKind != JsonValueKind.Number || !points.TryGetDecimal(out var pointValue))
            return null;
        var choice = QuestionKinds.IsChoice(kind);
        List<string?>? options = null, correct = null;
        string? rubric = null, language = null;
        List<CodeTestRequest>? tests = null;
        if (choice && (!TryStrings(item, "options", out options) || !TryStrings(item, "correct", out correct)))
            return null;
        if (kind == QuestionKinds.ShortText && !TryStrings(item, "correct", out correct))
            return null;
        if (kind == QuestionKinds.Essay && !TryString(item, "rubric", out rubric))
            return null;
        if (kind == QuestionKinds.Code && (!TryString(item, "language", out language) || !TryTests(item, out tests)))
            return null;
        return new QuestionRequest(id, kind, prompt, options, correct, rubric, language, tests, pointValue, null);
    }

    private static string NewId(HashSet<string> taken)
    {
        string id;
        do
        {
            id = $"ai-{Guid.NewGuid():N}"[..11];
        }
        while (!taken.Add(id));
        return id;
    }

    private static bool TryString(JsonElement item, string name, out string? value)
    {
        value = item.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return value is not null;
    }

    private static bool TryStrings(JsonElement item, string name, out List<string?>? values)
    {
        values = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Array
            || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            return false;
        values = element.EnumerateArray().Select(e => e.GetString()).ToList();
        return true;
    }

    private static bool TryTests(JsonElement item, out List<CodeTestRequest>? tests)
    {
        tests = null;
        if (!item.TryGetProperty("tests", out var element) || element.ValueKind != JsonValueKind.Array)
            return false;
        var list = new List<CodeTestRequest>();
        foreach (var test in element.EnumerateArray())
        {
            if (test.ValueKind != JsonValueKind.Object || !TryString(test, "call", out var call) || !TryString(test, "expected", out var expected))
                return false;
            var hidden = test.TryGetProperty("hidden", out var h) && h.ValueKind == JsonValueKind.True;
            list.Add(new CodeTestRequest(call, expected, hidden));
        }
        tests = list;
        return true;
    }
}
