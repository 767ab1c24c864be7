namespace LearnPlatform.Core.Ai;

/// <summary>What an AI call is for; each kind has its own counter beside the total.</summary>
public enum AiCallKind
{
    Generation,
    Hint,
    Evaluation,

    /// <summary>One spoken answer's audio turned into text.</summary>
    Transcription,
}

public static class AiCounters
{
    public const string Total = "total";

    public static string Name(AiCallKind kind) => kind switch
    {
        AiCallKind.Generation => "generations",
        AiCallKind.Hint => "hints",
        AiCallKind.Evaluation => "evaluations",
        AiCallKind.Transcription => "transcriptions",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// Configuration section "Ai:Caps": <c>Defaults</c> for every tenant, and <c>Tenants:&lt;tenant id&gt;</c> overriding
/// any of them for one tenant. A value left out falls back to the defaults, then to the built-in numbers.
/// </summary>
public sealed class AiCapsOptions
{
    public const string SectionName = "Ai:Caps";

    public AiCapSettings Defaults { get; set; } = new();

    public Dictionary<string, AiCapSettings> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public AiCapValues For(Guid tenantId)
    {
        var tenant = Tenants.TryGetValue(tenantId.ToString(), out var own) ? own : new AiCapSettings();
        var builtIn = AiCapValues.BuiltIn;
        var monthly = tenant.MonthlySpendUsd ?? Defaults.MonthlySpendUsd ?? builtIn.MonthlySpendUsd;
        return new AiCapValues(
            tenant.Total ?? Defaults.Total ?? builtIn.Total,
            tenant.Generations ?? Defaults.Generations ?? builtIn.Generations,
            tenant.Hints ?? Defaults.Hints ?? builtIn.Hints,
            tenant.Evaluations ?? Defaults.Evaluations ?? builtIn.Evaluations,
            monthly,
            tenant.GuestAiMonthlyUsd ?? Defaults.GuestAiMonthlyUsd ?? Math.Round(monthly * AiCapValues.GuestShareOfMonthlySpend, 6, MidpointRounding.ToZero),
            tenant.Transcriptions ?? Defaults.Transcriptions ?? builtIn.Transcriptions);
    }
}

public sealed class AiCapSettings
{
    public int? Total { get; set; }
    public int? Generations { get; set; }
    public int? Hints { get; set; }
    public int? Evaluations { get; set; }

    /// <summary>Audio uploads of spoken answers transcribed per session (re-recordings count).</summary>
    public int? Transcriptions { get; set; }

    public decimal? MonthlySpendUsd { get; set; }

    /// <summary>guest_ai_monthly_usd: what guest sessions may spend a month, on any key but a guest's own.</summary>
    public decimal? GuestAiMonthlyUsd { get; set; }
}

/// <summary>
/// One tenant's caps. The call counts apply per session (hints, evaluations, transcriptions) or per author per UTC day
/// (generations); <see cref="Total"/> caps all calls of the same scope. The spend cap applies to the platform key only.
/// Guest sessions' calls also count against <see cref="GuestAiMonthlyUsd"/>, on the platform key and the tenant's own,
/// so anonymous traffic cannot spend what the tenant's candidates need.
/// </summary>
public sealed record AiCapValues(int Total, int Generations, int Hints, int Evaluations, decimal MonthlySpendUsd, decimal GuestAiMonthlyUsd, int Transcriptions = AiCapValues.BuiltInTranscriptions)
{
    /// <summary>The guest budget when none is configured: a tenth of the monthly spend cap.</summary>
    public const decimal GuestShareOfMonthlySpend = 0.10m;

    public const int BuiltInTranscriptions = 30;

    public static readonly AiCapValues BuiltIn = new(200, 80, 50, 100, 100m, 10m);

    public int For(AiCallKind kind) => kind switch
    {
        AiCallKind.Generation => Generations,
        AiCallKind.Hint => Hints,
        AiCallKind.Evaluation => Evaluations,
        AiCallKind.Transcription => Transcriptions,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// Configuration section "Ai:Prices": what the platform pays per million tokens, for the spend estimate.
/// Defaults are Gemini 2.5 Flash's list prices (text and audio input); thinking tokens are billed as output.
/// </summary>
public sealed class AiPricesOptions
{
    public const string SectionName = "Ai:Prices";

    public decimal InputUsdPerMillionTokens { get; set; } = 0.30m;

    public decimal OutputUsdPerMillionTokens { get; set; } = 2.50m;

    public decimal AudioInputUsdPerMillionTokens { get; set; } = 1.00m;

    /// <param name="inputTokens">All prompt tokens, <paramref name="audioInputTokens"/> included.</param>
    public decimal Cost(long inputTokens, long outputTokens, long audioInputTokens = 0) =>
        Math.Round(((inputTokens - audioInputTokens) * InputUsdPerMillionTokens + audioInputTokens * AudioInputUsdPerMillionTokens
            + outputTokens * OutputUsdPerMillionTokens) / 1_000_000m, 6, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Where calls are counted: a session (hints, evaluations), or an author's UTC day (generations).
/// <see cref="Subject"/> is the session id or the author's uid, so a user's counters can be found and erased.
/// </summary>
public sealed record AiScope(string Key, string Subject)
{
    public static AiScope Session(Guid sessionId) => new($"session:{sessionId}", sessionId.ToString());

    public static AiScope AuthorDay(string uid, DateOnly day) =>
        new($"author:{day:yyyy-MM-dd}:{uid}", uid);
}
