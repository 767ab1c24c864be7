using System.Data;
using System.Text.Json;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Everything held about a user in one tenant, streamed as one JSON document: one query per table (no N+1), each
/// row written as it is read, all from one repeatable-read snapshot so the sections agree with each other.
/// </summary>
public static class UserExport
{
    /// <summary>One section per table that can hold user data, named after the table.</summary>
    public static readonly IReadOnlyList<(string Table, string Sql)> Sections =
    [
        ("memberships", "SELECT to_jsonb(m) - 'tenant_id' FROM memberships m WHERE m.tenant_id = @t AND m.uid = @u"),
        ("exam_sessions", "SELECT to_jsonb(s) - 'tenant_id' FROM exam_sessions s WHERE s.tenant_id = @t AND s.candidate_uid = @u ORDER BY s.started_at, s.id"),
        ("session_responses", $"SELECT to_jsonb(r) - 'tenant_id' FROM session_responses r WHERE r.tenant_id = @t AND r.session_id IN ({UserData.SessionIds}) ORDER BY r.session_id, r.question_id"),
        ("question_grades", $"""
            SELECT to_jsonb(g) - 'tenant_id' FROM question_grades g
            WHERE g.tenant_id = @t AND (g.session_id IN ({UserData.SessionIds}) OR g.overridden_by = @u)
            ORDER BY g.session_id, g.question_id
            """),
        ("session_metrics", $"SELECT to_jsonb(x) - 'tenant_id' FROM session_metrics x WHERE x.tenant_id = @t AND x.session_id IN ({UserData.SessionIds}) ORDER BY x.session_id"),
        ("telemetry_connections", $"SELECT to_jsonb(c) - 'tenant_id' FROM telemetry_connections c WHERE c.tenant_id = @t AND c.session_id IN ({UserData.SessionIds}) ORDER BY c.session_id"),
        // Every event of the user's sessions, in the order received; the partition column says nothing the session does not.
        ("telemetry_events", $"""
            SELECT to_jsonb(e) - 'tenant_id' - 'session_day' FROM telemetry_events e
            WHERE e.tenant_id = @t AND e.session_id IN ({UserData.SessionIds}) ORDER BY e.session_id, e.id
            """),
        ("accommodations", "SELECT to_jsonb(a) - 'tenant_id' FROM accommodations a WHERE a.tenant_id = @t AND (a.candidate_uid = @u OR a.updated_by = @u) ORDER BY a.created_at, a.id"),
        ("consents", "SELECT to_jsonb(c) - 'tenant_id' FROM consents c WHERE c.tenant_id = @t AND c.uid = @u ORDER BY c.flag"),
        // AI call counters: the author's per-day counters, and those of the user's sessions.
        ("ai_usage_counters", $"""
            SELECT to_jsonb(c) - 'tenant_id' FROM ai_usage_counters c
            WHERE c.tenant_id = @t AND (c.subject = @u OR c.subject IN (SELECT id::text FROM ({UserData.SessionIds}) s))
            ORDER BY c.scope, c.kind
            """),
        // Papers belong to the tenant; what is about the user is that they wrote or published them.
        ("papers", """
            SELECT jsonb_build_object('id', p.id, 'title', p.content ->> 'title', 'status', p.status, 'version', p.version,
                                      'created_by', p.created_by, 'created_at', p.created_at, 'updated_at', p.updated_at)
            FROM papers p WHERE p.tenant_id = @t AND p.created_by = @u ORDER BY p.created_at, p.id
            """),
        ("paper_versions", """
            SELECT jsonb_build_object('paper_id', v.paper_id, 'version', v.version, 'published_by', v.published_by, 'published_at', v.published_at)
            FROM paper_versions v WHERE v.tenant_id = @t AND v.published_by = @u ORDER BY v.published_at, v.paper_id
            """),
        ("audit_events", $"""
            SELECT to_jsonb(a) - 'tenant_id' FROM audit_events a
            WHERE a.tenant_id = @t
              AND (a.actor = @u OR a.resource = ANY ({UserData.OwnResources})
                   OR a.resource IN (SELECT 'session/' || id FROM ({UserData.SessionIds}) s)
                   OR jsonb_path_exists(a.details, '$.** ? (@ == $u)', jsonb_build_object('u', @u::text)))
            ORDER BY a.occurred_at, a.id
            """),
        // The engine's lease bookkeeping says nothing about the user and is left out.
        ("workflow_runs", $"""
            SELECT to_jsonb(w) - 'tenant_id' - 'lease_owner' - 'lease_expires_at' FROM workflow_runs w
            WHERE w.id IN ({UserData.RunIds}) ORDER BY w.created_at, w.id
            """),
        ("workflow_steps", $"""
            SELECT to_jsonb(st) - 'tenant_id' FROM workflow_steps st
            WHERE st.tenant_id = @t AND st.run_id IN ({UserData.RunIds}) ORDER BY st.run_id, st.completed_at, st.step_id
            """),
    ];

    public static async Task WriteAsync(LearnPlatformDbContext db, Stream body, Guid tenantId, string uid, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
        // Timestamps inside the rows come out in UTC, like the rest of the API.
        await using (var utc = new NpgsqlCommand("SET LOCAL TimeZone = 'UTC'", connection, npgsqlTransaction))
        {
            await utc.ExecuteNonQueryAsync(ct);
        }

        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("uid", uid);
        writer.WriteString("tenant_id", tenantId);
        writer.WriteString("exported_at", now);
        writer.WriteStartObject("sections");
        foreach (var (table, sql) in Sections)
        {
            writer.WriteStartArray(table);
            await using var command = new NpgsqlCommand(sql, connection, npgsqlTransaction);
            command.Parameters.AddWithValue("t", tenantId);
            command.Parameters.AddWithValue("u", uid);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                writer.WriteRawValue(reader.GetString(0), skipInputValidation: true);
                if (writer.BytesPending > 32 * 1024)
                {
                    await writer.FlushAsync(ct);
                }
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
