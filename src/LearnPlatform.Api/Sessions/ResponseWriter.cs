using LearnPlatform.Core.Data;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Api.Sessions;

/// <summary>
/// Autosave: one statement that saves an answer only while its session is in progress, before the deadline and taken
/// by the caller, bumping the version atomically. It takes a share lock on the session row, so a submit that commits
/// first wins and a save can never land after it.
/// </summary>
/// <remarks>
/// It is an exam's most frequent write, so it is one round trip on a connection of its own with no EF Core in between:
/// a batch that sets the tenant for its implicit transaction only (set_config's is_local) and then saves, with
/// positional parameters, which Npgsql sends without rewriting the SQL.
/// </remarks>
public sealed class ResponseWriter(NpgsqlDataSource dataSource)
{
    private const string Upsert = """
        INSERT INTO session_responses (session_id, question_id, tenant_id, answer, version, saved_at)
        SELECT s.id, $2, s.tenant_id, $3::jsonb, 1, $4
        FROM exam_sessions s
        WHERE s.id = $1 AND s.tenant_id = $5 AND ($6::text IS NULL OR s.candidate_uid = $6)
          AND s.status = 'in_progress' AND s.deadline > $4
        FOR SHARE
        ON CONFLICT (session_id, question_id) DO UPDATE
            SET answer = EXCLUDED.answer, version = session_responses.version + 1, saved_at = EXCLUDED.saved_at
            WHERE $7::int IS NULL OR session_responses.version = $7::int
        RETURNING version, saved_at
        """;

    /// <param name="candidateUid">
    /// The caller's uid, or null for a caller whose token names the session (a guest's, or an LTI user's session token):
    /// those are matched by the session alone, as <see cref="SessionAccess.TakenBy"/> does.
    /// </param>
    /// <returns>The saved answer; null when nothing was saved (not the caller's session, closed, or the version did not match).</returns>
    public async Task<SessionResponse?> SaveAsync(
        Guid tenantId, Guid sessionId, string? candidateUid, string questionId, string answerJson, int? expectedVersion, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                TenantConnection.ForTransaction(tenantId),
                new NpgsqlBatchCommand(Upsert)
                {
                    Parameters =
                    {
                        new() { Value = sessionId },
                        new() { Value = questionId },
                        new() { Value = answerJson },
                        new() { Value = now },
                        new() { Value = tenantId },
                        new() { Value = (object?)candidateUid ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                        new() { Value = (object?)expectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct)
            ? new SessionResponse { TenantId = tenantId, SessionId = sessionId, QuestionId = questionId, Answer = answerJson, Version = reader.GetInt32(0), SavedAt = reader.GetFieldValue<DateTimeOffset>(1) }
            : null;
    }
}
