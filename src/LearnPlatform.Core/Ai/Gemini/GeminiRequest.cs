using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>
/// One structured-output call: the fixed instructions, the user turn, and the schema (Gemini's OpenAPI subset)
/// the model's JSON must follow. Temperature is always 0: grading should not vary from call to call.
/// </summary>
public sealed record GeminiRequest(string SystemInstruction, string UserText, JsonObject ResponseSchema)
{
    // Turn and role markers the API adds around the text.
    private const int FramingTokens = 64;

    /// <summary>
    /// An upper bound on the prompt's tokens: its UTF-8 bytes (instructions, user turn and schema) plus the framing.
    /// A token of Gemini's tokenizer covers at least one byte, so the bound holds in any language, at the price of
    /// overestimating English about fourfold; a reservation holds it only until the call reports its real count.
    /// </summary>
    public int PromptTokenBound() =>
        FramingTokens + Encoding.UTF8.GetByteCount(SystemInstruction) + Encoding.UTF8.GetByteCount(UserText)
        + Encoding.UTF8.GetByteCount(ResponseSchema.ToJsonString());
}

/// <summary>
/// How much one call may produce. Gemini counts thinking tokens against <see cref="MaxOutputTokens"/>, so that is the
/// most any answer can bill as output; <see cref="ThinkingBudget"/> keeps thinking from eating the answer's share.
/// </summary>
public sealed record GeminiOutputLimits(int MaxOutputTokens, int ThinkingBudget);

/// <summary>The model's JSON, parsed, and what the call cost (null when the answer did not say).</summary>
public sealed record GeminiResponse(JsonElement Output, GeminiUsage? Usage, string? FinishReason);

/// <summary>Token counts from usageMetadata; thinking tokens are billed as output.</summary>
public sealed record GeminiUsage(int PromptTokens, int CandidatesTokens, int ThoughtsTokens, int TotalTokens)
{
    public long OutputTokens => (long)CandidatesTokens + ThoughtsTokens;
}
