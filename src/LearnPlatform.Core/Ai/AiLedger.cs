using LearnPlatform.Core.Telemetry;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Core.Ai;

/// <summary>What one Gemini call costs, or may cost at most, with the tokens it is priced from.</summary>
public sealed record AiCallCost(decimal Usd, long InputTokens, long OutputTokens);

/// <summary>Where a request's spend counts: the month it started in, the platform-key cap, the guest budget.</summary>
public sealed record AiSpendAccount(DateOnly Month, bool Platform, bool Guest)
{
    public bool Tracked => Platform || Guest;
}

/// <summary>
/// AI call counters, reservations and monthly spend in PostgreSQL, through a tenant-scoped context (RLS applies).
/// Every statement that moves them runs in a transaction that first takes one advisory lock per tenant, so a tenant's
/// accounting is ordered and its statements never deadlock with each other. Inside it the checks are still the
/// statements themselves: a counter is bumped by <c>... DO UPDATE SET n = n + 1 WHERE n &lt; cap</c>, a call's worst case
/// reserved by <c>UPDATE ... WHERE usd + reserved_usd + estimate &lt;= cap</c>; a refusal changes nothing.
/// </summary>
public static class AiLedger
{
    // Transaction-scoped, keyed by (this constant, a hash of the tenant): two tenants sharing a hash only wait for
    // each other a little.
    private const string LockSql = "SELECT pg_advisory_xact_lock(1095322695, hashtext(@tenant::text));\n";

    private const string EnsureMonthSql = """
        INSERT INTO ai_monthly_spend (tenant_id, month, usd, calls, input_tokens, output_tokens, updated_at)
        VALUES (@tenant, @month, 0, 0, 0, 0, now())
        ON CONFLICT (tenant_id, month) DO NOTHING;

        """;

    // Gives a finished or expired reservation back: its count, unless one of its calls was answered, and the worst
    // case of a call still out, which is billed as it stands (the request may have reached Google; nothing says
    // otherwise).
    private const string GiveBackHead = "WITH gone AS (DELETE FROM ai_reservations WHERE ";
    private const string GiveBackTail = """
         RETURNING *
        ), spend AS (
            UPDATE ai_monthly_spend s SET
                usd = s.usd + g.platform_usd,
                reserved_usd = greatest(0, s.reserved_usd - g.platform_usd),
                guest_usd = s.guest_usd + g.guest_usd,
                guest_reserved_usd = greatest(0, s.guest_reserved_usd - g.guest_usd),
                calls = s.calls + g.platform_calls,
                estimated_calls = s.estimated_calls + g.platform_calls,
                input_tokens = s.input_tokens + g.platform_input,
                output_tokens = s.output_tokens + g.platform_output,
                updated_at = now()
            FROM (
                SELECT month,
                       coalesce(sum(usd) FILTER (WHERE platform), 0) AS platform_usd,
                       coalesce(sum(usd) FILTER (WHERE guest), 0) AS guest_usd,
                       (count(*) FILTER (WHERE platform AND usd > 0))::int AS platform_calls,
                       coalesce(sum(input_tokens) FILTER (WHERE platform), 0) AS platform_input,
                       coalesce(sum(output_tokens) FILTER (WHERE platform), 0) AS platform_output
                FROM gone WHERE usd > 0 GROUP BY month
            ) g
            WHERE s.tenant_id = @tenant AND s.month = g.month
        )
        UPDATE ai_usage_counters c SET n = greatest(0, c.n - g.n), updated_at = now()
        FROM (
            SELECT counter_id, count(*)::int AS n
            FROM gone CROSS JOIN LATERAL unnest(ARRAY[gone.kind_counter_id, gone.total_counter_id]) AS counter_id
            WHERE NOT gone.counted
            GROUP BY counter_id
        ) g
        WHERE c.tenant_id = @tenant AND c.id = g.counter_id;
        """;

    private const string ReclaimExpiredSql = LockSql + EnsureMonthSql + GiveBackHead + "tenant_id = @tenant AND expires_at < now()" + GiveBackTail;

    private const string FinishSql = LockSql + GiveBackHead + "id = @reservation" + GiveBackTail;

    /// <summary>
    /// Reserves one request against its kind's cap and the scope's total, after reclaiming the tenant's expired
    /// reservations. Returns the reservation, or the counter whose cap is reached (then nothing changed).
    /// </summary>
    public static async Task<(Guid? Reservation, string? RefusedBy)> BeginAsync(
        LearnPlatformDbContext db, Guid tenantId, AiScope scope, AiCallKind kind, AiCapValues caps, AiSpendAccount account, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(caps);
        ArgumentNullException.ThrowIfNull(account);
        var counter = AiCounters.Name(kind);
        if (caps.For(kind) <= 0)
            return (null, counter);
        if (caps.Total <= 0)
            return (null, AiCounters.Total);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(ReclaimExpiredSql, [Tenant(tenantId), new NpgsqlParameter("month", account.Month)], ct);
        var id = Guid.CreateVersion7();
        var rows = await db.Database.SqlQuery<BeginRow>($"""
            WITH kind AS (
                INSERT INTO ai_usage_counters AS c (tenant_id, scope, subject, kind, n, updated_at)
                VALUES ({tenantId}, {scope.Key}, {scope.Subject}, {counter}, 1, now())
                ON CONFLICT (tenant_id, scope, kind) DO UPDATE SET n = c.n + 1, updated_at = excluded.updated_at
                WHERE c.n < {caps.For(kind)}
                RETURNING c.id
            ), total AS (
                INSERT INTO ai_usage_counters AS c (tenant_id, scope, subject, kind, n, updated_at)
                VALUES ({tenantId}, {scope.Key}, {scope.Subject}, {AiCounters.Total}, 1, now())
                ON CONFLICT (tenant_id, scope, kind) DO UPDATE SET n = c.n + 1, updated_at = excluded.updated_at
                WHERE c.n < {caps.Total}
                RETURNING c.id
            ), reservation AS (
                INSERT INTO ai_reservations (id, tenant_id, month, kind_counter_id, total_counter_id, platform, guest, expires_at)
                SELECT {id}, {tenantId}, {account.Month}, kind.id, total.id, {account.Platform}, {account.Guest}, now() + {lifetime}
                FROM kind, total
                RETURNING id
            )
            SELECT (SELECT id FROM kind) AS "Kind", (SELECT id FROM reservation) AS "Reservation"
            """).ToListAsync(ct);
        var taken = rows.Single(); // read whole, not composed by Single(): a data-modifying WITH must stay at the top level
        if (taken.Reservation is null)
            return (null, taken.Kind is null ? counter : AiCounters.Total); // disposing the transaction undoes the other counter
        await transaction.CommitAsync(ct);
        return (id, null);
    }

    /// <summary>
    /// Reserves one call's worst case against the caps its account counts against, and renews the reservation's
    /// expiry. Returns null when reserved, else the spend cap that would be overshot (then nothing changed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The reservation outlived its expiry and was reclaimed.</exception>
    public static async Task<string?> ReserveCallAsync(
        LearnPlatformDbContext db, Guid tenantId, Guid reservation, AiSpendAccount account, AiCallCost worst, AiCapValues caps, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(worst);
        ArgumentNullException.ThrowIfNull(caps);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var reserved = await db.Database.ExecuteSqlAsync($"""
            SELECT pg_advisory_xact_lock(1095322695, hashtext({tenantId}::text));
            WITH spend AS (
                UPDATE ai_monthly_spend SET
                    reserved_usd = reserved_usd + CASE WHEN {account.Platform} THEN {worst.Usd} ELSE 0 END,
                    guest_reserved_usd = guest_reserved_usd + CASE WHEN {account.Guest} THEN {worst.Usd} ELSE 0 END,
                    updated_at = now()
                WHERE tenant_id = {tenantId} AND month = {account.Month}
                  AND (NOT {account.Platform} OR usd + reserved_usd + {worst.Usd} <= {caps.MonthlySpendUsd})
                  AND (NOT {account.Guest} OR guest_usd + guest_reserved_usd + {worst.Usd} <= {caps.GuestAiMonthlyUsd})
                RETURNING 1
            )
            UPDATE ai_reservations SET
                usd = usd + {worst.Usd}, input_tokens = {worst.InputTokens}, output_tokens = {worst.OutputTokens}, expires_at = now() + {lifetime}
            WHERE id = {reservation} AND EXISTS (SELECT FROM spend)
            """, ct);
        if (reserved == 1)
        {
            await transaction.CommitAsync(ct);
            return null;
        }
        await transaction.RollbackAsync(ct);

        var month = await db.AiMonthlySpend.Where(s => s.TenantId == tenantId && s.Month == account.Month).SingleAsync(ct);
        if (account.Platform && month.Usd + month.ReservedUsd + worst.Usd > caps.MonthlySpendUsd)
            return AiSpendCaps.Monthly;
        if (account.Guest && month.GuestUsd + month.GuestReservedUsd + worst.Usd > caps.GuestAiMonthlyUsd)
            return AiSpendCaps.Guest;
        throw new InvalidOperationException($"AI reservation {reservation} expired before its call; Ai:Calls:ReservationGrace is too short for this call");
    }

    /// <summary>
    /// Ends one call: <paramref name="charged"/> (what it cost, or its worst case when that is all there is to go by)
    /// replaces its reservation, or with null the reservation is given back because the call cost nothing.
    /// <paramref name="answered"/> keeps the request's count for good. Not cancellable: the call is over either way.
    /// </summary>
    public static async Task SettleCallAsync(
        LearnPlatformDbContext db, Guid tenantId, Guid reservation, AiSpendAccount account, decimal reservedUsd, AiCallCost? charged, bool estimated, bool answered)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(account);
        if (!account.Tracked && !answered)
            return; // nothing was reserved, and the count's fate is left to the request's end
        var usd = charged?.Usd ?? 0m;
        var inputTokens = charged?.InputTokens ?? 0;
        var outputTokens = charged?.OutputTokens ?? 0;
        var calls = charged is null ? 0 : 1;
        var estimatedCalls = charged is not null && estimated ? 1 : 0;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.Database.ExecuteSqlAsync($"""
            SELECT pg_advisory_xact_lock(1095322695, hashtext({tenantId}::text));
            WITH r AS (
                UPDATE ai_reservations SET
                    usd = greatest(0, usd - {reservedUsd}), input_tokens = 0, output_tokens = 0, counted = counted OR {answered}
                WHERE id = {reservation}
                RETURNING 1
            )
            UPDATE ai_monthly_spend SET
                usd = usd + CASE WHEN {account.Platform} THEN {usd} ELSE 0 END,
                reserved_usd = greatest(0, reserved_usd - CASE WHEN {account.Platform} AND EXISTS (SELECT FROM r) THEN {reservedUsd} ELSE 0 END),
                guest_usd = guest_usd + CASE WHEN {account.Guest} THEN {usd} ELSE 0 END,
                guest_reserved_usd = greatest(0, guest_reserved_usd - CASE WHEN {account.Guest} AND EXISTS (SELECT FROM r) THEN {reservedUsd} ELSE 0 END),
                calls = calls + CASE WHEN {account.Platform} THEN {calls} ELSE 0 END,
                estimated_calls = estimated_calls + CASE WHEN {account.Platform} THEN {estimatedCalls} ELSE 0 END,
                input_tokens = input_tokens + CASE WHEN {account.Platform} THEN {inputTokens} ELSE 0 END,
                output_tokens = output_tokens + CASE WHEN {account.Platform} THEN {outputTokens} ELSE 0 END,
                updated_at = now()
            WHERE tenant_id = {tenantId} AND month = {account.Month} AND {account.Tracked}
            """, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        if (charged is not null)
        {
            AppTelemetry.RecordAiSpend(usd, inputTokens, outputTokens);
        }
    }

    /// <summary>Ends a request: its reservation goes, and its count with it unless one of its calls was answered.</summary>
    public static async Task FinishAsync(LearnPlatformDbContext db, Guid tenantId, Guid reservation)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.Database.ExecuteSqlRawAsync(FinishSql, [Tenant(tenantId), new NpgsqlParameter("reservation", reservation)], CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
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
            .Select(s => new MonthlySpend(s.Usd, s.GuestUsd, s.Calls, s.EstimatedCalls, s.InputTokens, s.OutputTokens))
            .SingleOrDefaultAsync(ct) ?? MonthlySpend.None;
    }

    public static DateOnly MonthOf(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    private static NpgsqlParameter Tenant(Guid tenantId) => new("tenant", tenantId);

    private sealed record BeginRow(Guid? Kind, Guid? Reservation);
}

/// <summary>The spend caps a call can be refused by, as the routes name them.</summary>
public static class AiSpendCaps
{
    public const string Monthly = "monthly_spend";
    public const string Guest = "guest_monthly_spend";
}

public sealed record MonthlySpend(decimal Usd, decimal GuestUsd, int Calls, int EstimatedCalls, long InputTokens, long OutputTokens)
{
    public static readonly MonthlySpend None = new(0m, 0m, 0, 0, 0, 0);
}
