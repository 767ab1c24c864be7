using System.Text;
using System.Text.Json;

namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>Reads a successful generateContent response: the first candidate's text, parsed as JSON, and the token usage.</summary>
public static class GeminiResponseParser
{
    private static readonly HashSet<string> BlockingFinishReasons = new(StringComparer.Ordinal)
    {
        "SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
    };

    /// <exception cref="GeminiException">Blocked or unusable content; it carries the usage the answer reported (Google bills it).</exception>
    public static GeminiResponse Parse(string body, int httpStatus = 200)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GeminiException(GeminiErrorKind.InvalidOutput, httpStatus, usage: null, e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new GeminiException(GeminiErrorKind.InvalidOutput, httpStatus, usage: null);

        var usage = Usage(root);
        if (root.TryGetProperty("promptFeedback", out var feedback) && feedback.ValueKind == JsonValueKind.Object
            && feedback.TryGetProperty("blockReason", out _))
            throw new GeminiException(GeminiErrorKind.Blocked, httpStatus, usage);

        if (!root.TryGetProperty("candidates", out var candidates) || candidates.ValueKind != JsonValueKind.Array || candidates.GetArrayLength() == 0)
            throw new GeminiException(GeminiErrorKind.Blocked, httpStatus, usage);

        var candidate = candidates[0];
        var finishReason = candidate.ValueKind == JsonValueKind.Object && candidate.TryGetProperty("finishReason", out var reason)
            && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;
        if (finishReason is not null && BlockingFinishReasons.Contains(finishReason))
            throw new GeminiException(GeminiErrorKind.Blocked, httpStatus, usage);

        var text = AnswerText(candidate);
        if (string.IsNullOrWhiteSpace(text))
            throw new GeminiException(GeminiErrorKind.InvalidOutput, httpStatus, usage);

        try
        {
            using var output = JsonDocument.Parse(text);
            return new GeminiResponse(output.RootElement.Clone(), usage, finishReason);
        }
        catch (JsonException e)
        {
            throw new GeminiException(GeminiErrorKind.InvalidOutput, httpStatus, usage, e);
        }
    }

    // The text parts of the answer; parts marked as thoughts are the model's reasoning, not its answer.
    private static string AnswerText(JsonElement candidate)
    {
        if (candidate.ValueKind != JsonValueKind.Object || !candidate.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object
            || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
            return "";

        var text = new StringBuilder();
        foreach (var part in parts.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object))
        {
            var isThought = part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True;
            if (!isThought && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                text.Append(partText.GetString());
        }
        return text.ToString();
    }

    /// <summary>The answer's token counts; null when it has no usageMetadata, so the caller cannot know what it cost.</summary>
    public static GeminiUsage? Usage(JsonElement root)
    {
        if (!root.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object)
            return null;
        return new GeminiUsage(Count(usage, "promptTokenCount"), Count(usage, "candidatesTokenCount"), Count(usage, "thoughtsTokenCount"), Count(usage, "totalTokenCount"), AudioTokens(usage));
    }

    // promptTokensDetails: [{"modality": "AUDIO", "tokenCount": n}, ...]; audio is priced apart from text.
    private static int AudioTokens(JsonElement usage)
    {
        if (!usage.TryGetProperty("promptTokensDetails", out var details) || details.ValueKind != JsonValueKind.Array)
            return 0;
        return details.EnumerateArray()
            .Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("modality", out var modality)
                && modality.ValueKind == JsonValueKind.String && modality.GetString() == "AUDIO")
            .Sum(d => Count(d, "tokenCount"));
    }

    private static int Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) ? count : 0;
}
