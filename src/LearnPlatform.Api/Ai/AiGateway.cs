using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Ai;

/// <summary>Either the work's value, or the problem to answer with.</summary>
public sealed record AiResult<T>(T? Value, ProblemHttpResult? Problem) where T : class;

/// <summary>
/// The AI routes' side of the call guard (<see cref="AiCallGuard"/>, which grading uses too): reads the caller's own
/// key from X-API-Key, runs the route's work through the guard, and turns refusals and Gemini's failures into the
/// routes' problem answers.
/// </summary>
public sealed partial class AiGateway(AiCallGuard guard, TimeProvider time, ILogger<AiGateway> logger)
{
    public const string KeyHeader = "X-API-Key";
    public const int MaxKeyLength = 256;

    /// <param name="http">The request: its X-API-Key header and its response, for Retry-After.</param>
    /// <param name="use">What the work is for and where it counts.</param>
    /// <param name="capResetsIn">How long until the scope's counters stop mattering (the session ends, the day ends).</param>
    /// <param name="work">Builds the request(s) and validates the answer; returns null when the AI's answer is unusable.</param>
    public async Task<AiResult<T>> RunAsync<T>(HttpContext http, AiUse use, TimeSpan capResetsIn, Func<AiCall, CancellationToken, Task<T?>> work)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(use);
        if (!TryReadCallerKey(http.Request, out var callerKey))
            return new AiResult<T>(null, AiProblems.BadKey());

        var outcome = await guard.RunAsync(use, callerKey, work, http.RequestAborted);
        var problem = outcome switch
        {
            { Refusal: { } refusal } => ToProblem(refusal, use.Kind, capResetsIn, http.Response),
            { Failure: { } failure } => ToProblem(failure, outcome.KeySource, http.Response),
            { Value: null } => AiProblems.BadGateway(AiProblems.Unusable),
            _ => null,
        };
        return new AiResult<T>(problem is null ? outcome.Value : null, problem);
    }

    /// <summary>False when the caller sent an X-API-Key that cannot be a key (blank, too long, not printable ASCII).</summary>
    private static bool TryReadCallerKey(HttpRequest request, out string? key)
    {
        key = null;
        if (!request.Headers.TryGetValue(KeyHeader, out var values))
            return true;
        var value = values.Count == 1 ? values[0]?.Trim() : null;
        if (value is not { Length: > 0 and <= MaxKeyLength } || !value.All(c => c is > ' ' and < '\u007f'))
            return false;
        key = value;
        return true;
    }

    private ProblemHttpResult ToProblem(AiRefusal refusal, AiCallKind kind, TimeSpan capResetsIn, HttpResponse response)
    {
        switch (refusal)
        {
            case AiRefusal.CapReached cap:
                return AiProblems.CapReached(response, cap.Counter, cap.Limit, AiProblems.ScopeName(kind), capResetsIn);
            case AiRefusal.SpendCapReached spend:
                var nextMonth = new DateTimeOffset(spend.Month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                return AiProblems.SpendCapReached(response, spend.Cap, spend.LimitUsd, nextMonth - time.GetUtcNow());
            default:
                return AiProblems.NotConfiguredProblem();
        }
    }

    private ProblemHttpResult ToProblem(GeminiException e, AiKeySource? source, HttpResponse response)
    {
        switch (e.Kind)
        {
            case GeminiErrorKind.InvalidKey when source == AiKeySource.Caller:
                return AiProblems.BadKey();
            case GeminiErrorKind.InvalidKey or GeminiErrorKind.MissingKey:
                // The operator's key, not the caller's: the caller cannot fix it, so it is an outage to them.
                LogConfiguredKeyRejected(logger, source);
                return AiProblems.UnavailableProblem(response, null);
            case GeminiErrorKind.RateLimited:
                return AiProblems.UpstreamRateLimited(response, e.RetryAfter);
            case GeminiErrorKind.Unavailable or GeminiErrorKind.Timeout:
                return AiProblems.UnavailableProblem(response, e.RetryAfter);
            case GeminiErrorKind.Blocked:
                return AiProblems.BadGateway(AiProblems.Declined);
            case GeminiErrorKind.InvalidOutput:
                return AiProblems.BadGateway(AiProblems.Unusable);
            default:
                return AiProblems.BadGateway("The AI service rejected the request");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Gemini rejected the configured {Source} key; check Gemini configuration")]
    private static partial void LogConfiguredKeyRejected(ILogger logger, AiKeySource? source);
}
