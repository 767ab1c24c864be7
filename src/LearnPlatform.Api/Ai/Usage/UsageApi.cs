using System.Globalization;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Ai.Usage;

/// <summary>
/// Spend is the platform key's, estimated from token counts (calls billed at their worst case are counted in
/// <c>EstimatedCalls</c>); callers' own keys and tenant keys are not in it. Guest spend is guest sessions' calls on
/// the platform key or the tenant's own, against their budget, <c>GuestAiMonthlyUsd</c>.
/// </summary>
public sealed record AiUsageResponse(
    string Month,
    decimal SpendUsd,
    decimal SpendCapUsd,
    decimal GuestSpendUsd,
    decimal GuestAiMonthlyUsd,
    int Calls,
    int EstimatedCalls,
    long InputTokens,
    long OutputTokens,
    AiCapsView Caps);

/// <summary>generations and its total are per author per UTC day; the others per session.</summary>
public sealed record AiCapsView(int Total, int Generations, int Hints, int Evaluations, int Transcriptions);

public static class UsageApi
{
    public static RouteHandlerBuilder MapAiUsage(this ApiRoutes routes) =>
        routes.Admins.MapGet("/ai/usage", GetAsync);

    private static async Task<Ok<AiUsageResponse>> GetAsync(Caller caller, LearnPlatformDbContext db, IOptionsMonitor<AiCapsOptions> caps, TimeProvider time, CancellationToken ct)
    {
        var month = AiLedger.MonthOf(time.GetUtcNow());
        var spend = await AiLedger.MonthSpendAsync(db, caller.TenantId, month, ct);
        var limits = caps.CurrentValue.For(caller.TenantId);
        return TypedResults.Ok(new AiUsageResponse(
            month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            spend.Usd,
            limits.MonthlySpendUsd,
            spend.GuestUsd,
            limits.GuestAiMonthlyUsd,
            spend.Calls,
            spend.EstimatedCalls,
            spend.InputTokens,
            spend.OutputTokens,
            new AiCapsView(limits.Total, limits.Generations, limits.Hints, limits.Evaluations, limits.Transcriptions)));
    }
}
