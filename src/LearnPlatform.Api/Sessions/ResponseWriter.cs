using System.Data.Common;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Api.Sessions;

/// <summary>
/// Autosave: one statement that saves an answer only while its session is in progress and before the
/// deadline, bumping the version atomically. It takes a share lock on the session row, so a submit that
/// commits first wins and a save can never land after it.
/// </summary>
public static class ResponseWriter
{
    private const string Upsert = """
        INSERT INTO session_responses (session_id, question_id, tenant_id, answer, version, saved_at)
        SELECT s.id, @question, s.tenant_id, @answer, 1, @now
        FROM exam_sessions s
        WHERE s.id = @session AND s.status = 'in_progress' AND s.deadline > @now
        FOR SHARE
        ON CONFLICT (session_id, question_id) DO UPDATE
            SET answer = EXCLUDED.answer, version = session_responses.version + 1, saved_at = EXCLUDED.saved_at
            WHERE @expected::int IS NULL OR session_responses.version = @expected::int
        RETURNING version, saved_at
        """;

    public static async Task<SessionResponse?> SaveAsync(LearnPlatformDbContext db, ExamSession session, string questionId, string answerJson, int? expectedVersion, DateTimeOffset now, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
            command.CommandText = Upsert;
            command.Parameters.AddWithValue("session", session.Id);
            command.Parameters.AddWithValue("question", questionId);
            command.Parameters.Add(new NpgsqlParameter("answer", NpgsqlDbType.Jsonb) { Value = answerJson });
            command.Parameters.AddWithValue("now", now);
            command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Integer) { Value = (object?)expectedVersion ?? DBNull.Value });
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            return new SessionResponse
            {
                TenantId = session.TenantId,
                SessionId = session.Id,
                QuestionId = questionId,
                Answer = answerJson,
                Version = reader.GetInt32(0),
                SavedAt = reader.GetFieldValue<DateTimeOffset>(1),
            };
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
