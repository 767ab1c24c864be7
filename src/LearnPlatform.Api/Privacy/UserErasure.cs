using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Erases a user from one tenant inside the caller's transaction. Personal content (answers, feedback about them,
/// accommodations, consents, metrics, telemetry events, the membership) is deleted; rows that feed statistics
/// (sessions, scores, papers, the audit trail) keep their numbers but the uid becomes a random pseudonym of which no
/// mapping is kept.
/// Rows the application role may not change are rewritten by SECURITY DEFINER functions; the workflow engine's by the
/// engine (<see cref="WorkflowAdmin.EraseAsync"/>).
/// </summary>
public static class UserErasure
{
    public const string ErasedReason = "[erased]";

    /// <summary>What every pseudonym starts with; no user is ever named so (<see cref="UserData.IsNotAUser"/>).</summary>
    public const string PseudonymPrefix = "erased:";

    public static string NewPseudonym() => PseudonymPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A session of an erased candidate: its answers are gone, so it can never be graded again.</summary>
    public static bool IsErased(ExamSession session) => session.CandidateUid?.StartsWith(PseudonymPrefix, StringComparison.Ordinal) == true;

    /// <summary>Rows changed or removed, per table (step); all zero when there was nothing (left) to erase.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> EraseAsync(
        LearnPlatformDbContext db, Guid tenantId, string uid, string pseudonym, DateTimeOffset now, CancellationToken ct)
    {
        // Locking the sessions first makes a concurrent erasure of the same user wait, then find nothing.
        var sessions = await db.Database
            .SqlQuery<Guid>(Sql($"{UserData.SessionIds} ORDER BY id FOR UPDATE", tenantId, uid, "Value"))
            .ToListAsync(ct);
        var (connection, transaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        // Runs are found while they still name the user; an unfinished one stops before anything else changes.
        var runs = await WorkflowAdmin.RunsReferencingAsync(connection, transaction, tenantId, [uid, .. sessions.Select(s => s.ToString())], ct);
        var workflows = await WorkflowAdmin.EraseAsync(connection, transaction, runs, uid, pseudonym, now, ct);

        var counts = new Dictionary<string, int>
        {
            ["workflow_runs_cancelled"] = workflows.Cancelled,
            ["workflow_runs"] = workflows.Runs,
            ["workflow_steps"] = workflows.Steps,
            ["session_responses"] = await FunctionAsync(db, $"SELECT privacy_delete_answers({uid}) AS \"Value\"", ct),
            ["session_metrics"] = await db.SessionMetrics.Where(m => sessions.Contains(m.SessionId)).ExecuteDeleteAsync(ct),
            // What the browser reported during the user's attempts is about the user; none of it feeds statistics.
            ["telemetry_events"] = await db.TelemetryEvents.Where(e => e.TenantId == tenantId && sessions.Contains(e.SessionId)).ExecuteDeleteAsync(ct),
            ["telemetry_connections"] = await db.TelemetryConnections.Where(c => sessions.Contains(c.SessionId)).ExecuteDeleteAsync(ct),
            // Scores stay for the paper's statistics; words written about the answer do not.
            ["question_grades"] = await db.QuestionGrades
                .Where(g => sessions.Contains(g.SessionId))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(g => g.AutoFeedback, (string?)null)
                    .SetProperty(g => g.OverrideReason, g => g.OverrideReason == null ? null : ErasedReason), ct),
            // An attempt still open ends now: a save racing the erasure re-checks the status and stores nothing.
            // No grading run is current any more: a step of one already under way (its save waits for these row locks)
            // finds none, and writes no grade or feedback after the erasure. With its answers gone a session is never
            // graded again, so one whose grading was cancelled does not stay "grading": never graded, it is submitted
            // (like an attempt the erasure ended); in a regrade, its earlier score stands, marked for review.
            ["exam_sessions"] = await db.Sessions
                .Where(s => sessions.Contains(s.Id))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.CandidateUid, pseudonym)
                    .SetProperty(x => x.GradingRunId, (Guid?)null)
                    .SetProperty(x => x.SubmittedAt, x => x.Status == SessionStatus.InProgress ? (now < x.Deadline ? now : x.Deadline) : x.SubmittedAt)
                    .SetProperty(x => x.Status, x =>
                        x.Status == SessionStatus.InProgress || (x.Status == SessionStatus.Grading && x.GradedAt == null) ? SessionStatus.Submitted
                        : x.Status == SessionStatus.Grading ? SessionStatus.NeedsReview
                        : x.Status), ct),
            ["question_grades_overridden_by"] = await db.QuestionGrades
                .Where(g => g.TenantId == tenantId && g.OverriddenBy == uid)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.OverriddenBy, pseudonym), ct),
            ["accommodations"] = await db.Accommodations.Where(a => a.TenantId == tenantId && a.CandidateUid == uid).ExecuteDeleteAsync(ct),
            ["accommodations_updated_by"] = await db.Accommodations
                .Where(a => a.TenantId == tenantId && a.UpdatedBy == uid)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedBy, pseudonym), ct),
            ["consents"] = await db.Consents.Where(c => c.TenantId == tenantId && c.Uid == uid).ExecuteDeleteAsync(ct),
            // An LTI user's session tokens stop working; the link from the platform's user to the uid is forgotten.
            ["guest_tokens"] = await db.GuestTokens
                .Where(t => sessions.Contains(t.SessionId) && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct),
            ["lti_session_links"] = await db.LtiSessionLinks.Where(l => sessions.Contains(l.SessionId)).ExecuteDeleteAsync(ct),
            ["lti_launches"] = await db.LtiLaunches.Where(l => l.TenantId == tenantId && l.Uid == uid).ExecuteDeleteAsync(ct),
            ["lti_users"] = await db.LtiUsers.Where(u => u.TenantId == tenantId && u.Uid == uid).ExecuteDeleteAsync(ct),
            // An author's daily AI counters name them; a session's counters name only the session and stay with its statistics.
            ["ai_usage_counters"] = await db.AiUsageCounters.Where(c => c.TenantId == tenantId && c.Subject == uid).ExecuteDeleteAsync(ct),
            ["papers"] = await db.Papers
                .Where(p => p.TenantId == tenantId && p.CreatedBy == uid)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.CreatedBy, pseudonym), ct),
            ["paper_versions"] = await FunctionAsync(db, $"SELECT privacy_pseudonymize_paper_versions({uid}, {pseudonym}) AS \"Value\"", ct),
            ["memberships"] = await db.Memberships.Where(m => m.TenantId == tenantId && m.Uid == uid).ExecuteDeleteAsync(ct),
            ["audit_events"] = await FunctionAsync(db, $"SELECT privacy_pseudonymize_audit_events({uid}, {pseudonym}) AS \"Value\"", ct),
        };
        return counts;
    }

    /// <summary>A SQL fragment over {0} (tenant) and {1} (uid), selected as the column EF reads (<paramref name="column"/>).</summary>
    internal static FormattableString Sql(string sql, Guid tenantId, string uid, string column) =>
        FormattableStringFactory.Create($"SELECT x.* FROM ({sql}) AS x(\"{column}\")", tenantId, uid);

    private static Task<int> FunctionAsync(LearnPlatformDbContext db, FormattableString call, CancellationToken ct) =>
        db.Database.SqlQuery<int>(call).SingleAsync(ct);
}
