using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>
/// One structured-output call: the fixed instructions, the user turn (text, and audio sent inline when there is some),
/// and the schema (Gemini's OpenAPI subset) the model's JSON must follow. Temperature is always 0: grading should not
/// vary from call to call.
/// </summary>
public sealed record GeminiRequest(string SystemInstruction, string UserText, JsonObject ResponseSchema, GeminiInlineAudio? Audio = null)
{
    // Turn and role markers the API adds around the text.
    private const int FramingTokens = 64;

    // Gemini counts 32 tokens per second of audio.
    private const int AudioTokensPerSecond = 32;

    // The lowest bitrate a speech recording plausibly has (Opus at 6 kbit/s), so bytes bound its seconds.
    private const int LowestAudioBytesPerSecond = 750;

    /// <summary>An upper bound on the audio's tokens, from its size at the lowest speech bitrate: no container is parsed.</summary>
    public int AudioTokenBound() =>
        Audio is null ? 0 : (Audio.Data.Length + LowestAudioBytesPerSecond - 1) / LowestAudioBytesPerSecond * AudioTokensPerSecond;

    /// <summary>
    /// An upper bound on the prompt's tokens: its UTF-8 bytes (instructions, user turn and schema) plus the framing.
    /// A token of Gemini's tokenizer covers at least one byte, so the bound holds in any language, at the price of
    /// overestimating English about fourfold; a reservation holds it only until the call reports its real count.
    /// </summary>
    public int PromptTokenBound() =>
        FramingTokens + Encoding.UTF8.GetByteCount(SystemInstruction) + Encoding.UTF8.GetByteCount(UserText)
        + Encoding.UTF8.GetByteCount(ResponseSchema.ToJsonString()) + AudioTokenBound();
}

/// <summary>Audio sent inline (base64 in the request body), held in memory only; ToString never shows the bytes.</summary>
public sealed record GeminiInlineAudio(string MimeType, ReadOnlyMemory<byte> Data)
{
    public override string ToString() => $"GeminiInlineAudio({MimeType}, {Data.Length} bytes)";
}

/// <summary>
/// How much one call may produce. Gemini counts thinking tokens against <see cref="MaxOutputTokens"/>, so that is the
/// most any answer can bill as output; <see cref="ThinkingBudget"/> keeps thinking from eating the answer's share.
/// </summary>
public sealed record GeminiOutputLimits(int MaxOutputTokens, int ThinkingBudget);

/// <summary>The model's JSON, parsed, and what the call cost (null when the answer did not say).</summary>
public sealed record GeminiResponse(JsonElement Output, GeminiUsage? Usage, string? FinishReason);

/// <summary>Token counts from usageMetadata; thinking tokens are billed as output. <see cref="AudioPromptTokens"/> are part of <see cref="PromptTokens"/>.</summary>
public sealed record GeminiUsage(int PromptTokens, int CandidatesTokens, int ThoughtsTokens, int TotalTokens, int AudioPromptTokens = 0)
{
    public long OutputTokens => (long)CandidatesTokens + ThoughtsTokens;
}
