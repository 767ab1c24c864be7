using FluentValidation;
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

public sealed class SetConsentRequestValidator : AbstractValidator<SetConsentRequest>
{
    public SetConsentRequestValidator() => RuleFor(r => r.Granted).NotNull().WithMessage("granted (true or false) is required.");
}

public sealed record ConsentView(string Flag, bool Granted, DateTimeOffset? ChangedAt);

/// <summary>A signed-in user's own consent flags. Guests cannot consent: they have no identity to hold a consent.</summary>
public static class ConsentsApi
{
    public static void MapConsents(this ApiRoutes routes)
    {
        var consents = routes.Users.MapGroup("/me/consents");
        consents.MapGet("", ListAsync);
        consents.MapPut("/{flag}", SetAsync);
    }

    private static async Task<Ok<ItemList<ConsentView>>> ListAsync(Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var stored = await db.Consents
            .Where(c => c.TenantId == caller.TenantId && c.Uid == caller.Uid)
            .Select(c => new ConsentView(c.Flag, c.Granted, c.ChangedAt))
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
        var granted = request.Granted!.Value;

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
            var current = await db.Consents
                .Where(c => c.TenantId == caller.TenantId && c.Uid == caller.Uid && c.Flag == flag)
                .Select(c => new ConsentView(c.Flag, c.Granted, c.ChangedAt))
                .SingleAsync(ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Ok(current);
        }

        // Withdrawing consent removes what was collected under it.
        var removed = granted || flag != ConsentFlags.BiometricMetrics ? 0 : await db.SessionMetrics
            .Where(m => m.TenantId == caller.TenantId
                && db.Sessions.Any(s => s.Id == m.SessionId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid))
            .ExecuteDeleteAsync(ct);
        var keystrokeStatsRemoved = granted || flag != ConsentFlags.BiometricMetrics ? 0 : await db.TelemetryEvents
            .Where(e => e.TenantId == caller.TenantId && e.Type == "keystroke_stats"
                && db.Sessions.Any(s => s.Id == e.SessionId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid))
            .ExecuteDeleteAsync(ct);
        AuditTrail.Record(db, caller, now, granted ? "consent.grant" : "consent.withdraw", $"consent/{flag}",
            granted ? null : new { metrics_removed = removed, keystroke_stats_removed = keystrokeStatsRemoved });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(view);
    }
}
