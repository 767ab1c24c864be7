namespace LearnPlatform.Core.Ai.Gemini;

public enum GeminiErrorKind
{
    /// <summary>Neither a platform key nor a per-call key was given; no request was sent.</summary>
    MissingKey,

    /// <summary>Gemini refused the key (400 API_KEY_INVALID, 401, 403).</summary>
    InvalidKey,

    /// <summary>429 or RESOURCE_EXHAUSTED; <see cref="GeminiException.RetryAfter"/> says how long to wait when Gemini said.</summary>
    RateLimited,

    /// <summary>5xx, or the connection failed.</summary>
    Unavailable,

    /// <summary>No complete answer within <see cref="GeminiOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>The prompt or the answer was blocked (safety, recitation...) or no candidate came back.</summary>
    Blocked,

    /// <summary>The model's text is not JSON, or the response is not a generateContent response.</summary>
    InvalidOutput,

    /// <summary>Any other 4xx: the request itself was refused (bad model name, bad schema...).</summary>
    Rejected,
}

/// <summary>
/// A failed Gemini call, normalized. The message carries only the kind, the HTTP status and Google's status code:
/// never the key, the request, or Google's own message text (its debug details can quote the key).
/// </summary>
public sealed class GeminiException : Exception
{
    public GeminiException()
        : this(GeminiErrorKind.Unavailable)
    {
    }

    public GeminiException(string message)
        : base(message)
    {
        Kind = GeminiErrorKind.Unavailable;
    }

    public GeminiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = GeminiErrorKind.Unavailable;
    }

    public GeminiException(GeminiErrorKind kind, int? httpStatus = null, string? apiStatus = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(Describe(kind, httpStatus, apiStatus), innerException)
    {
        Kind = kind;
        HttpStatus = httpStatus;
        ApiStatus = apiStatus;
        RetryAfter = retryAfter;
    }

    /// <summary>A successful (2xx) answer whose content was unusable: Google billed it, by <paramref name="usage"/> when it said.</summary>
    public GeminiException(GeminiErrorKind kind, int httpStatus, GeminiUsage? usage, Exception? innerException = null)
        : this(kind, httpStatus, innerException: innerException)
    {
        Answered = true;
        Usage = usage;
    }

    public GeminiErrorKind Kind { get; }

    public int? HttpStatus { get; }

    /// <summary>Google's status code, such as RESOURCE_EXHAUSTED.</summary>
    public string? ApiStatus { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>Gemini answered with a 2xx (blocked or unusable content): the call was billed.</summary>
    public bool Answered { get; }

    /// <summary>The answer's usageMetadata, when <see cref="Answered"/> and it had one.</summary>
    public GeminiUsage? Usage { get; }

    /// <summary>Worth retrying later as it is: rate limits, outages and timeouts.</summary>
    public bool IsTransient => Kind is GeminiErrorKind.RateLimited or GeminiErrorKind.Unavailable or GeminiErrorKind.Timeout;

    /// <summary>A message that may be shown to an end user.</summary>
    public string ClientMessage => ClientMessageFor(Kind);

    public static string ClientMessageFor(GeminiErrorKind kind) => kind switch
    {
        GeminiErrorKind.MissingKey => "No API key configured",
        GeminiErrorKind.InvalidKey => "Invalid API key",
        GeminiErrorKind.RateLimited => "Rate limit reached, please wait",
        GeminiErrorKind.Unavailable => "Service temporarily unavailable",
        GeminiErrorKind.Timeout => "The AI service did not answer in time",
        GeminiErrorKind.Blocked => "The AI service declined to process this content",
        GeminiErrorKind.InvalidOutput => "The AI service returned an unusable answer",
        GeminiErrorKind.Rejected => "The AI service rejected the request",
        _ => "The AI service failed",
    };

    private static string Describe(GeminiErrorKind kind, int? httpStatus, string? apiStatus)
    {
        var detail = string.Join(", ", new[] { httpStatus is { } status ? $"HTTP {status}" : null, apiStatus }.OfType<string>());
        return detail.Length == 0 ? $"Gemini call failed: {kind}. {ClientMessageFor(kind)}." : $"Gemini call failed: {kind} ({detail}). {ClientMessageFor(kind)}.";
    }
}
