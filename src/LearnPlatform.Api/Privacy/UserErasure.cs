using System.Security.Cryptography;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Erases a user from one tenant inside the caller's transaction. Personal content (answers, feedback about them,
/// accommodations, consents, metrics, telemetry events, the membership) is deleted; rows that feed statistics (sessions, scores,
/// papers, the audit trail) keep their numbers but the uid becomes a random pseudonym of which no mapping is kept.
/// </summary>
public static class UserErasure
{
    public const string ErasedReason = "[erased]";

    /// <summary>In order: runs and sessions are found while they still name the user.</summary>
    private static readonly IReadOnlyList<(string Key, string Sql)> Steps =
    [
        // A run still in flight would go on grading an emptied session and write checkpoints after us: it stops here.
        ("workflow_runs_cancelled", """
            UPDATE workflow_runs SET status = 'cancelled', completed_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ANY (@runs) AND status IN ('pending', 'running')
            """),
        ("workflow_runs", """
            UPDATE workflow_runs SET input = replace(input::text, to_jsonb(@u::text)::text, to_jsonb(@p::text)::text)::jsonb, last_error = NULL, updated_at = @now
            WHERE id = ANY (@runs)
            """),
        ("workflow_steps", "SELECT privacy_erase_workflow_steps(@runs)"),
        ("session_responses", "SELECT privacy_delete_answers(@u)"),
        ("session_metrics", "DELETE FROM session_metrics WHERE session_id = ANY (@sessions)"),
        // What the browser reported during the user's attempts is about the user; none of it feeds statistics.
        ("telemetry_events", "DELETE FROM telemetry_events WHERE tenant_id = @t AND session_id = ANY (@sessions)"),
        ("telemetry_connections", "DELETE FROM telemetry_connections WHERE session_id = ANY (@sessions)"),
        // Scores stay for the paper's statistics; words written about the answer do not.
        ("question_grades", $"""
            UPDATE question_grades SET auto_feedback = NULL,
                override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE '{ErasedReason}' END
            WHERE session_id = ANY (@sessions)
            """),
        // An attempt still open ends now: a save racing the erasure re-checks the status and stores nothing.
        ("exam_sessions", """
            UPDATE exam_sessions SET candidate_uid = @p,
                submitted_at = CASE WHEN status = 'in_progress' THEN least(@now, deadline) ELSE submitted_at END,
                status = CASE WHEN status = 'in_progress' THEN 'submitted' ELSE status END
            WHERE id = ANY (@sessions)
            """),
        ("question_grades_overridden_by", "UPDATE question_grades SET overridden_by = @p WHERE tenant_id = @t AND overridden_by = @u"),
        ("accommodations", "DELETE FROM accommodations WHERE tenant_id = @t AND candidate_uid = @u"),
        ("accommodations_updated_by", "UPDATE accommodations SET updated_by = @p WHERE tenant_id = @t AND updated_by = @u"),
        ("consents", "DELETE FROM consents WHERE tenant_id = @t AND uid = @u"),
        // An author's daily AI counters name them; a session's counters name only the session and stay with its statistics.
        ("ai_usage_counters", "DELETE FROM ai_usage_counters WHERE tenant_id = @t AND subject = @u"),
        ("papers", "UPDATE papers SET created_by = @p WHERE tenant_id = @t AND created_by = @u"),
        ("paper_versions", "SELECT privacy_pseudonymize_paper_versions(@u, @p)"),
        ("memberships", "DELETE FROM memberships WHERE tenant_id = @t AND uid = @u"),
        ("audit_events", "SELECT privacy_pseudonymize_audit_events(@u, @p)"),
    ];

    public static string NewPseudonym() => "erased:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Rows changed or removed, per step; all zero when there was nothing (left) to erase.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> EraseAsync(
        LearnPlatformDbContext db, Guid tenantId, string uid, string pseudonym, DateTimeOffset now, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)(db.Database.CurrentTransaction ?? throw new InvalidOperationException("Erasure runs inside the caller's transaction.")).GetDbTransaction();

        // Locking the sessions first makes a concurrent erasure of the same user wait, then find nothing.
        var sessions = await IdsAsync($"{UserData.SessionIds} ORDER BY id FOR UPDATE");
        var runs = await IdsAsync($"{UserData.RunIds} ORDER BY id");

        var counts = new Dictionary<string, int>();
        foreach (var (key, sql) in Steps)
        {
            await using var command = Command(sql);
            command.Parameters.AddWithValue("sessions", sessions);
            command.Parameters.AddWithValue("runs", runs);
            command.Parameters.AddWithValue("p", pseudonym);
            command.Parameters.AddWithValue("now", now);
            counts[key] = sql.StartsWith("SELECT", StringComparison.Ordinal)
                ? (int)(await command.ExecuteScalarAsync(ct))!
                : await command.ExecuteNonQueryAsync(ct);
        }
        return counts;

        NpgsqlCommand Command(string sql)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("t", tenantId);
            command.Parameters.AddWithValue("u", uid);
            return command;
        }

        async Task<Guid[]> IdsAsync(string sql)
        {
            await using var command = Command(sql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var ids = new List<Guid>();
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetGuid(0));
            }
            return [.. ids];
        }
    }
}
