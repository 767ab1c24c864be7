using LearnPlatform.Api.Ai.Keys;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Gemini;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Ai;

/// <summary>One Gemini call as the feature's work makes it: the key is already chosen and spend is recorded.</summary>
public delegate Task<GeminiResponse> AiCall(GeminiRequest request);

/// <summary>Either the work's value, or the problem to answer with.</summary>
public sealed record AiResult<T>(T? Value, ProblemHttpResult? Problem) where T : class;

/// <summary>
/// Everything around an AI call that is the same for every route: choose the key, hold the platform key to the
/// tenant's monthly spend cap, reserve the call against its caps (before calling, so parallel requests cannot
/// overshoot), give the reservation back when the call cost nothing, record spend, and turn Gemini's failures into
/// the routes' problem answers.
/// </summary>
public sealed partial class AiGateway(
    GeminiClient gemini,
    AiKeyResolver keys,
    LearnPlatformDbContext db,
    IOptionsMonitor<AiCapsOptions> caps,
    IOptionsMonitor<AiPricesOptions> prices,
    TimeProvider time,
    ILogger<AiGateway> logger)
{
    /// <param name="http">The request: its X-API-Key header and its response, for Retry-After.</param>
    /// <param name="tenantId">The caller's tenant.</param>
    /// <param name="scope">Where the call counts.</param>
    /// <param name="kind">What the call is for.</param>
    /// <param name="capResetsIn">How long until the scope's counters stop mattering (the session ends, the day ends).</param>
    /// <param name="work">Builds the request(s) and validates the answer; returns null when the AI's answer is unusable.</param>
    public async Task<AiResult<T>> RunAsync<T>(HttpContext http, Guid tenantId, AiScope scope, AiCallKind kind, TimeSpan capResetsIn, Func<AiCall, Task<T?>> work)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(work);
        var ct = http.RequestAborted;
        AiResult<T> Fail(ProblemHttpResult problem) => new(null, problem);
        AiKey key;
        switch (keys.Resolve(http.Request, tenantId))
        {
            case AiKeyResolution.Found found:
                key = found.Key;
                break;
            case AiKeyResolution.Malformed:
                return Fail(AiProblems.BadKey());
            default:
                return Fail(AiProblems.NotConfiguredProblem());
        }

        var limits = caps.CurrentValue.For(tenantId);
        var now = time.GetUtcNow();
        var month = AiUsageStore.MonthOf(now);
        if (key.Source == AiKeySource.Platform && (await AiUsageStore.MonthSpendAsync(db, tenantId, month, ct)).Usd >= limits.MonthlySpendUsd)
        {
            LogSpendCap(logger, tenantId, limits.MonthlySpendUsd);
            var nextMonth = new DateTimeOffset(month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return Fail(AiProblems.SpendCapReached(http.Response, limits.MonthlySpendUsd, nextMonth - now));
        }

        if (await AiUsageStore.TryReserveAsync(db, tenantId, scope, kind, limits, now, ct) is { } counter)
        {
            var limit = counter == AiCounters.Total ? limits.Total : limits.For(kind);
            LogCapReached(logger, tenantId, counter, limit);
            return Fail(AiProblems.CapReached(http.Response, counter, limit, AiProblems.ScopeName(kind), capResetsIn));
        }

        var answered = 0;
        async Task<GeminiResponse> Call(GeminiRequest request)
        {
            try
            {
                var response = await gemini.GenerateJsonAsync(request, key.Value, ct);
                answered++;
                await RecordSpendAsync(key, tenantId, response.Usage);
                return response;
            }
            catch (GeminiException e) when (e.Kind is GeminiErrorKind.InvalidOutput or GeminiErrorKind.Blocked)
            {
                answered++; // Gemini answered (and billed); only its content was unusable
                throw;
            }
        }

        try
        {
            var value = await work(Call);
            return value is null ? Fail(AiProblems.BadGateway(AiProblems.Unusable)) : new AiResult<T>(value, null);
        }
        catch (GeminiException e)
        {
            if (answered == 0)
                await AiUsageStore.ReleaseAsync(db, tenantId, scope, kind, time.GetUtcNow(), CancellationToken.None);
            return Fail(ToProblem(e, key, http.Response));
        }
    }

    private async Task RecordSpendAsync(AiKey key, Guid tenantId, GeminiUsage usage)
    {
        if (key.Source == AiKeySource.Platform)
            await AiUsageStore.AddSpendAsync(db, tenantId, usage, prices.CurrentValue, time.GetUtcNow());
    }

    private ProblemHttpResult ToProblem(GeminiException e, AiKey key, HttpResponse response)
    {
        switch (e.Kind)
        {
            case GeminiErrorKind.InvalidKey when key.Source == AiKeySource.Caller:
                return AiProblems.BadKey();
            case GeminiErrorKind.InvalidKey or GeminiErrorKind.MissingKey:
                // The operator's key, not the caller's: the caller cannot fix it, so it is an outage to them.
                LogConfiguredKeyRejected(logger, key.Source);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "AI call refused for tenant {TenantId}: the {Counter} cap ({Limit}) is reached")]
    private static partial void LogCapReached(ILogger logger, Guid tenantId, string counter, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI call refused for tenant {TenantId}: this month's platform-key spend cap ({CapUsd} USD) is reached")]
    private static partial void LogSpendCap(ILogger logger, Guid tenantId, decimal capUsd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gemini rejected the configured {Source} key; check Gemini configuration")]
    private static partial void LogConfiguredKeyRejected(ILogger logger, AiKeySource source);
}
