using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Sessions;

/// <summary>
/// Autosave: one statement that saves an answer only while its session is in progress, before the deadline and taken
/// by the caller, bumping the version atomically. It takes a share lock on the session row, so a submit that commits
/// first wins and a save can never land after it.
/// </summary>
public static class ResponseWriter
{
    private sealed record Saved(int Version, DateTimeOffset SavedAt);

    /// <param name="candidateUid">
    /// The caller's uid, or null for a caller whose token names the session (a guest's, or an LTI user's session token):
    /// those are matched by the session alone, as <see cref="SessionAccess.TakenBy"/> does.
    /// </param>
    /// <returns>The saved answer; null when nothing was saved (not the caller's session, closed, or the version did not match).</returns>
    public static async Task<SessionResponse?> SaveAsync(
        LearnPlatformDbContext db, Guid tenantId, Guid sessionId, string? candidateUid, string questionId, string answerJson, int? expectedVersion, DateTimeOffset now, CancellationToken ct)
    {
        var saved = await db.Database.SqlQuery<Saved>($"""
            INSERT INTO session_responses (session_id, question_id, tenant_id, answer, version, saved_at)
            SELECT s.id, {questionId}, s.tenant_id, {answerJson}::jsonb, 1, {now}
            FROM exam_sessions s
            WHERE s.id = {sessionId} AND s.tenant_id = {tenantId} AND ({candidateUid}::text IS NULL OR s.candidate_uid = {candidateUid})
              AND s.status = 'in_progress' AND s.deadline > {now}
            FOR SHARE
            ON CONFLICT (session_id, question_id) DO UPDATE
                SET answer = EXCLUDED.answer, version = session_responses.version + 1, saved_at = EXCLUDED.saved_at
                WHERE {expectedVersion}::int IS NULL OR session_responses.version = {expectedVersion}::int
            RETURNING version AS "Version", saved_at AS "SavedAt"
            """).ToListAsync(ct);
        return saved is [var row]
            ? new SessionResponse { TenantId = tenantId, SessionId = sessionId, QuestionId = questionId, Answer = answerJson, Version = row.Version, SavedAt = row.SavedAt }
            : null;
    }
}
