using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Privacy;

public static class ConsentFlags
{
    /// <summary>Opt-in for derived attention metrics (a focus score, tab switches) and keystroke timing statistics reported during an attempt.</summary>
    public const string BiometricMetrics = "biometric_metrics";

    /// <summary>Every flag a candidate can set; all are off until granted. The consents table's CHECK lists the same.</summary>
    public static readonly IReadOnlyList<string> All = [BiometricMetrics];
}

public sealed record SetConsentRequest(bool? Granted);

public sealed record ConsentView(string Flag, bool Granted, DateTimeOffset? ChangedAt);

/// <summary>A signed-in user's own consent flags. Guests cannot consent: they have no identity to hold a consent.</summary>
public static class ConsentsApi
{
    public static void MapConsents(this IEndpointRouteBuilder routes)
    {
        var consents = routes.MapGroup("/api/v1/me/consents").RequireAuthorization(Policies.TenantUser);
        consents.MapGet("", ListAsync);
        consents.MapPut("/{flag}", SetAsync);
    }

    private static async Task<Ok<ItemList<ConsentView>>> ListAsync(Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var stored = await db.Database
            .SqlQuery<ConsentView>($"""SELECT flag AS "Flag", granted AS "Granted", changed_at AS "ChangedAt" FROM consents WHERE tenant_id = {caller.TenantId} AND uid = {caller.Uid}""")
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<ConsentView>(ConsentFlags.All
            .Select(flag => stored.FirstOrDefault(c => c.Flag == flag) ?? new ConsentView(flag, false, null))
            .ToList()));
    }

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> SetAsync(
        string flag, SetConsentRequest request, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!ConsentFlags.All.Contains(flag))
        {
            return Problems.NotFound("The consent flag");
        }
        if (request.Granted is not { } granted)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]> { ["granted"] = ["granted (true or false) is required."] })
            {
                Status = 400,
                Title = "One or more validation errors occurred.",
            });
        }

        var now = time.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Only a change writes: repeating the same answer keeps its changed_at and adds no audit event.
        var changed = await db.Database.SqlQuery<ConsentView>($"""
            INSERT INTO consents (tenant_id, uid, flag, granted, changed_at) VALUES ({caller.TenantId}, {caller.Uid}, {flag}, {granted}, {now})
            ON CONFLICT (tenant_id, uid, flag) DO UPDATE SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at
                WHERE consents.granted IS DISTINCT FROM EXCLUDED.granted
            RETURNING flag AS "Flag", granted AS "Granted", changed_at AS "ChangedAt"
            """).ToListAsync(ct);
        if (changed.SingleOrDefault() is not { } view)
        {
            var current = await db.Database
                .SqlQuery<ConsentView>($"""SELECT flag AS "Flag", granted AS "Granted", changed_at AS "ChangedAt" FROM consents WHERE tenant_id = {caller.TenantId} AND uid = {caller.Uid} AND flag = {flag}""")
                .ToListAsync(ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Ok(current.Single());
        }

        // Withdrawing consent removes what was collected under it.
        var removed = granted || flag != ConsentFlags.BiometricMetrics ? 0 : await db.Database.ExecuteSqlAsync($"""
            DELETE FROM session_metrics WHERE tenant_id = {caller.TenantId}
              AND session_id IN (SELECT id FROM exam_sessions WHERE tenant_id = {caller.TenantId} AND candidate_uid = {caller.Uid})
            """, ct);
        var keystrokeStatsRemoved = granted || flag != ConsentFlags.BiometricMetrics ? 0 : await db.Database.ExecuteSqlAsync($"""
            DELETE FROM telemetry_events WHERE tenant_id = {caller.TenantId} AND type = 'keystroke_stats'
              AND session_id IN (SELECT id FROM exam_sessions WHERE tenant_id = {caller.TenantId} AND candidate_uid = {caller.Uid})
            """, ct);
        AuditTrail.Record(db, caller, now, granted ? "consent.grant" : "consent.withdraw", $"consent/{flag}",
            granted ? null : new { metrics_removed = removed, keystroke_stats_removed = keystrokeStatsRemoved });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(view);
    }
}
