using LearnPlatform.Core.Telemetry;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Gemini;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Ai;

/// <summary>
/// AI call counters and monthly spend in PostgreSQL, through the caller's tenant-scoped context (RLS applies).
/// A reservation is one conditional upsert per counter: the row lock it takes serializes racing requests, and the
/// <c>WHERE n &lt; cap</c> makes the one that would overshoot get no row back. The kind's counter and the total
/// are taken in one transaction, always in that order, so either both count or neither does.
/// </summary>
public static class AiUsageStore
{
    /// <returns>Null when the call was reserved; otherwise the name of the counter whose cap is reached.</returns>
    public static async Task<string?> TryReserveAsync(LearnPlatformDbContext db, Guid tenantId, AiScope scope, AiCallKind kind, AiCapValues caps, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(caps);
        var counter = AiCounters.Name(kind);
        if (caps.For(kind) <= 0)
            return counter;
        if (caps.Total <= 0)
            return AiCounters.Total;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await TryIncrementAsync(db, tenantId, scope, counter, caps.For(kind), now, ct))
            return counter;
        if (!await TryIncrementAsync(db, tenantId, scope, AiCounters.Total, caps.Total, now, ct))
            return AiCounters.Total; // disposing the transaction rolls the first increment back
        await transaction.CommitAsync(ct);
        return null;
    }

    /// <summary>Gives back a reservation whose call did not cost anything (Gemini refused it or never answered).</summary>
    public static async Task ReleaseAsync(LearnPlatformDbContext db, Guid tenantId, AiScope scope, AiCallKind kind, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(scope);
        var counter = AiCounters.Name(kind);
        await db.AiUsageCounters
            .Where(c => c.TenantId == tenantId && c.Scope == scope.Key && (c.Kind == counter || c.Kind == AiCounters.Total) && c.N > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.N, c => c.N - 1).SetProperty(c => c.UpdatedAt, now), ct);
    }

    public static async Task<int> CountAsync(LearnPlatformDbContext db, Guid tenantId, AiScope scope, string counter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(scope);
        return await db.AiUsageCounters
            .Where(c => c.TenantId == tenantId && c.Scope == scope.Key && c.Kind == counter)
            .Select(c => c.N)
            .SingleOrDefaultAsync(ct);
    }

    public static async Task<MonthlySpend> MonthSpendAsync(LearnPlatformDbContext db, Guid tenantId, DateOnly month, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.AiMonthlySpend
            .Where(s => s.TenantId == tenantId && s.Month == month)
            .Select(s => new MonthlySpend(s.Usd, s.Calls, s.InputTokens, s.OutputTokens))
            .SingleOrDefaultAsync(ct) ?? MonthlySpend.None;
    }

    /// <summary>
    /// Adds one answered platform-key call to the month's spend: prompt tokens at the input price, output and thinking
    /// tokens at the output price. Not cancellable: the call has been paid for whether or not its caller is still there.
    /// </summary>
    public static async Task AddSpendAsync(LearnPlatformDbContext db, Guid tenantId, GeminiUsage usage, AiPricesOptions prices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(prices);
        var month = MonthOf(now);
        long inputTokens = usage.PromptTokens;
        var outputTokens = (long)usage.CandidatesTokens + usage.ThoughtsTokens;
        var usd = prices.Cost(inputTokens, outputTokens);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ai_monthly_spend (tenant_id, month, usd, calls, input_tokens, output_tokens, updated_at)
            VALUES ({tenantId}, {month}, {usd}, 1, {inputTokens}, {outputTokens}, {now})
            ON CONFLICT (tenant_id, month) DO UPDATE SET
                usd = ai_monthly_spend.usd + excluded.usd,
                calls = ai_monthly_spend.calls + 1,
                input_tokens = ai_monthly_spend.input_tokens + excluded.input_tokens,
                output_tokens = ai_monthly_spend.output_tokens + excluded.output_tokens,
                updated_at = excluded.updated_at
            """, CancellationToken.None);
        AppTelemetry.RecordAiSpend(usd, inputTokens, outputTokens);
    }

    public static DateOnly MonthOf(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    private static async Task<bool> TryIncrementAsync(LearnPlatformDbContext db, Guid tenantId, AiScope scope, string counter, int cap, DateTimeOffset now, CancellationToken ct)
    {
        var counted = await db.Database.SqlQuery<int>($"""
            INSERT INTO ai_usage_counters AS c (tenant_id, scope, subject, kind, n, updated_at)
            VALUES ({tenantId}, {scope.Key}, {scope.Subject}, {counter}, 1, {now})
            ON CONFLICT (tenant_id, scope, kind) DO UPDATE SET n = c.n + 1, updated_at = excluded.updated_at
            WHERE c.n < {cap}
            RETURNING c.n AS "Value"
            """).ToListAsync(ct);
        return counted.Count == 1;
    }
}

public sealed record MonthlySpend(decimal Usd, int Calls, long InputTokens, long OutputTokens)
{
    public static readonly MonthlySpend None = new(0m, 0, 0, 0);
}
