using LearnPlatform.Core.Ai.Gemini;

namespace LearnPlatform.Core.Ai;

/// <summary>
/// Configuration section "Ai:Calls": how much each kind of call may produce, and how long a reservation outlives a
/// call that never reports back. The output limit bounds what one call can cost; the thinking budget keeps the
/// model's reasoning from using up the answer's share of it.
/// </summary>
public sealed class AiCallOptions
{
    public const string SectionName = "Ai:Calls";

    /// <summary>One hint of at most 1,000 characters: no thinking needed.</summary>
    public AiCallLimitSettings Hint { get; set; } = new() { MaxOutputTokens = 1024, ThinkingBudget = 0 };

    /// <summary>Up to ten draft questions with options, keys or rubrics.</summary>
    public AiCallLimitSettings Generation { get; set; } = new() { MaxOutputTokens = 8192, ThinkingBudget = 2048 };

    /// <summary>One essay grade: a score per criterion and a rationale of at most 2,000 characters.</summary>
    public AiCallLimitSettings Evaluation { get; set; } = new() { MaxOutputTokens = 4096, ThinkingBudget = 1024 };

    /// <summary>One spoken answer's transcript: five minutes of speech is about a thousand tokens; no thinking needed.</summary>
    public AiCallLimitSettings Transcription { get; set; } = new() { MaxOutputTokens = 4096, ThinkingBudget = 0 };

    /// <summary>
    /// How long past Gemini's timeout a reservation stays counted when nothing settles it (its process died): then
    /// the next reservation of the tenant reclaims it.
    /// </summary>
    public TimeSpan ReservationGrace { get; set; } = TimeSpan.FromMinutes(1);

    public GeminiOutputLimits For(AiCallKind kind)
    {
        var settings = kind switch
        {
            AiCallKind.Hint => Hint,
            AiCallKind.Generation => Generation,
            AiCallKind.Evaluation => Evaluation,
            AiCallKind.Transcription => Transcription,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return new GeminiOutputLimits(settings.MaxOutputTokens, settings.ThinkingBudget);
    }

    /// <summary>Each output limit positive, each thinking budget from 0 to below its output limit, the grace not negative.</summary>
    public bool IsValid() =>
        new[] { Hint, Generation, Evaluation, Transcription }.All(l => l.MaxOutputTokens > 0 && l.ThinkingBudget >= 0 && l.ThinkingBudget < l.MaxOutputTokens)
        && ReservationGrace >= TimeSpan.Zero;
}

public sealed class AiCallLimitSettings
{
    public int MaxOutputTokens { get; set; }

    public int ThinkingBudget { get; set; }
}
