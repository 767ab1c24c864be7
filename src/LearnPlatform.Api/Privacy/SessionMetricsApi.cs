using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Derived numbers only. Unknown fields are refused rather than ignored, so nothing else (a frame, a recording,
/// a base64 blob) can ride along; a number sent as a string is a wrong type.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[JsonNumberHandling(JsonNumberHandling.Strict)]
public sealed record SessionMetricsRequest(double? FocusScore, int? TabSwitches);

public sealed record SessionMetricsView(double? FocusScore, int? TabSwitches, DateTimeOffset ReportedAt);

public sealed class SessionMetricsRequestValidator : AbstractValidator<SessionMetricsRequest>
{
    public const int MaxTabSwitches = 100_000;

    public SessionMetricsRequestValidator()
    {
        RuleFor(r => r.FocusScore).InclusiveBetween(0, 1).WithMessage("focus_score must be between 0 and 1.");
        RuleFor(r => r.TabSwitches).InclusiveBetween(0, MaxTabSwitches).WithMessage("tab_switches must be between 0 and 100000.");
        RuleFor(r => r).Must(r => r.FocusScore is not null || r.TabSwitches is not null)
            .OverridePropertyName("focus_score").WithMessage("Send focus_score, tab_switches, or both.");
    }
}

public static class SessionMetricsApi
{
    /// <summary>Two numbers fit in far less; anything bigger is not a metrics report.</summary>
    public const long MaxBodyBytes = 1024;

    public static void MapSessionMetrics(this ApiRoutes routes) =>
        routes.Callers.MapPut("/sessions/{id:guid}/metrics", PutAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));

    private static async Task<Results<Ok<SessionMetricsView>, ProblemHttpResult>> PutAsync(
        Guid id, SessionMetricsRequest request, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (caller.IsGuest)
        {
            return Problems.Forbidden("Guests cannot consent to metrics, so none are accepted from them.");
        }
        if (!await db.Sessions.TakenBy(caller).AnyAsync(s => s.Id == id, ct))
        {
            return Problems.NotFound("The session");
        }

        var now = time.Now();
        // Consent and status are checked in the statement; the consent row is share-locked so a withdrawal that
        // commits first wins, and one that commits after deletes this report with the rest.
        var stored = await db.Database.SqlQuery<SessionMetricsView>($"""
            INSERT INTO session_metrics (session_id, tenant_id, focus_score, tab_switches, reported_at)
            SELECT s.id, s.tenant_id, {request.FocusScore}::double precision, {request.TabSwitches}::integer, {now}
            FROM exam_sessions s
            WHERE s.id = {id} AND s.tenant_id = {caller.TenantId} AND s.candidate_uid = {caller.Uid} AND s.status = 'in_progress'
              AND EXISTS (SELECT 1 FROM consents c
                          WHERE c.tenant_id = s.tenant_id AND c.uid = s.candidate_uid AND c.flag = {ConsentFlags.BiometricMetrics} AND c.granted
                          FOR SHARE)
            ON CONFLICT (session_id) DO UPDATE SET
                focus_score = coalesce(EXCLUDED.focus_score, session_metrics.focus_score),
                tab_switches = coalesce(EXCLUDED.tab_switches, session_metrics.tab_switches),
                reported_at = EXCLUDED.reported_at
            RETURNING focus_score AS "FocusScore", tab_switches AS "TabSwitches", reported_at AS "ReportedAt"
            """).ToListAsync(ct);
        if (stored.SingleOrDefault() is { } view)
        {
            return TypedResults.Ok(view);
        }

        var consented = await db.Consents.AnyAsync(c => c.TenantId == caller.TenantId && c.Uid == caller.Uid && c.Flag == ConsentFlags.BiometricMetrics && c.Granted, ct);
        return consented
            ? Problems.Conflict("The session is submitted; metrics are only taken during an attempt.")
            : Problems.Forbidden("Metrics are accepted only after the candidate grants the biometric_metrics consent.");
    }
}
