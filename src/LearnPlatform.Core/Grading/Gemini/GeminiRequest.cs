using System.Text.Json;
using System.Text.Json.Nodes;

namespace LearnPlatform.Core.Grading.Gemini;

/// <summary>
/// One structured-output call: the fixed instructions, the user turn, and the schema (Gemini's OpenAPI subset)
/// the model's JSON must follow. Temperature is always 0: grading should not vary from call to call.
/// </summary>
public sealed record GeminiRequest(string SystemInstruction, string UserText, JsonObject ResponseSchema);

/// <summary>The model's JSON, parsed, and what the call cost.</summary>
public sealed record GeminiResponse(JsonElement Output, GeminiUsage Usage, string? FinishReason);

/// <summary>Token counts from usageMetadata; thinking tokens are billed as output.</summary>
public sealed record GeminiUsage(int PromptTokens, int CandidatesTokens, int ThoughtsTokens, int TotalTokens)
{
    public static readonly GeminiUsage None = new(0, 0, 0, 0);
}
