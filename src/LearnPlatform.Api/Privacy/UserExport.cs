using System.Runtime.CompilerServices;
using System.Text.Json;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Everything held about a user in one tenant, streamed as one JSON document: one query per table (no N+1), each row
/// written as it is read, as stored (to_jsonb of the row), all from one repeatable-read snapshot so the sections agree
/// with each other. Fields about other people are left out: who else acted (an audit row's actor and client address, a
/// grade's or an accommodation's staff uid), and of rows about someone else that the user only acted on as staff,
/// everything but what the user did. Every lookup goes through an index (the subject's uid or session ids).
/// </summary>
public static class UserExport
{
    /// <summary>One section per application table that can hold user data, named after the table; SQL over {0} (tenant) and {1} (uid).</summary>
    public static readonly IReadOnlyList<(string Table, string Sql)> Sections =
    [
        ("memberships", "SELECT to_jsonb(m) - 'tenant_id' FROM memberships m WHERE m.tenant_id = {0} AND m.uid = {1}"),
        ("exam_sessions", "SELECT to_jsonb(s) - 'tenant_id' FROM exam_sessions s WHERE s.tenant_id = {0} AND s.candidate_uid = {1} ORDER BY s.started_at, s.id"),
        ("session_responses", $"SELECT to_jsonb(r) - 'tenant_id' FROM session_responses r WHERE r.tenant_id = {{0}} AND r.session_id IN ({UserData.SessionIds}) ORDER BY r.session_id, r.question_id"),
        // Grades of the user's answers (without the uid of staff who overrode them), and the overrides the user made
        // as staff on other people's answers (only the override: the answer's grade and feedback are theirs).
        ("question_grades", $$"""
            SELECT CASE
                WHEN g.session_id NOT IN ({{UserData.SessionIds}}) THEN jsonb_build_object('session_id', g.session_id,
                    'question_id', g.question_id, 'override_score', g.override_score, 'overridden_by', g.overridden_by, 'overridden_at', g.overridden_at)
                WHEN g.overridden_by = {1} THEN to_jsonb(g) - 'tenant_id'
                ELSE to_jsonb(g) - 'tenant_id' - 'overridden_by' END
            FROM question_grades g
            WHERE g.tenant_id = {0} AND (g.session_id IN ({{UserData.SessionIds}}) OR g.overridden_by = {1})
            ORDER BY g.session_id, g.question_id
            """),
        ("session_metrics", $"SELECT to_jsonb(x) - 'tenant_id' FROM session_metrics x WHERE x.tenant_id = {{0}} AND x.session_id IN ({UserData.SessionIds}) ORDER BY x.session_id"),
        ("telemetry_connections", $"SELECT to_jsonb(c) - 'tenant_id' FROM telemetry_connections c WHERE c.tenant_id = {{0}} AND c.session_id IN ({UserData.SessionIds}) ORDER BY c.session_id"),
        // Every event of the user's sessions, in the order received; the partition column says nothing the session does not.
        ("telemetry_events", $$"""
            SELECT to_jsonb(e) - 'tenant_id' - 'session_day' FROM telemetry_events e
            WHERE e.tenant_id = {0} AND e.session_id IN ({{UserData.SessionIds}}) ORDER BY e.session_id, e.id
            """),
        // The user's accommodations (without the staff uid that set them), and those the user set for others as staff
        // (which paper and when only: whom, and how much extra time they need, is theirs).
        ("accommodations", """
            SELECT CASE
                WHEN a.candidate_uid IS DISTINCT FROM {1} THEN jsonb_build_object('id', a.id, 'paper_id', a.paper_id, 'updated_by', a.updated_by, 'updated_at', a.updated_at)
                WHEN a.updated_by = {1} THEN to_jsonb(a) - 'tenant_id'
                ELSE to_jsonb(a) - 'tenant_id' - 'updated_by' END
            FROM accommodations a WHERE a.tenant_id = {0} AND (a.candidate_uid = {1} OR a.updated_by = {1}) ORDER BY a.created_at, a.id
            """),
        ("consents", "SELECT to_jsonb(c) - 'tenant_id' FROM consents c WHERE c.tenant_id = {0} AND c.uid = {1} ORDER BY c.flag"),
        // AI call counters: the author's per-day counters, and those of the user's sessions.
        ("ai_usage_counters", $$"""
            SELECT to_jsonb(c) - 'tenant_id' FROM ai_usage_counters c
            WHERE c.tenant_id = {0} AND (c.subject = {1} OR c.subject IN (SELECT id::text FROM ({{UserData.SessionIds}}) s))
            ORDER BY c.scope, c.kind
            """),
        // Papers belong to the tenant; what is about the user is that they wrote or published them.
        ("papers", """
            SELECT jsonb_build_object('id', p.id, 'title', p.content ->> 'title', 'status', p.status, 'version', p.version,
                                      'created_by', p.created_by, 'created_at', p.created_at, 'updated_at', p.updated_at)
            FROM papers p WHERE p.tenant_id = {0} AND p.created_by = {1} ORDER BY p.created_at, p.id
            """),
        ("paper_versions", """
            SELECT jsonb_build_object('paper_id', v.paper_id, 'version', v.version, 'published_by', v.published_by, 'published_at', v.published_at)
            FROM paper_versions v WHERE v.tenant_id = {0} AND v.published_by = {1} ORDER BY v.published_at, v.paper_id
            """),
        // Events the user did, about the user or one of their sessions, and refusals of a route naming them. Of events
        // someone else did, the actor and their client address are left out; of the user's own acts on another user
        // (candidate/<uid>, member/<uid>), that user's uid.
        ("audit_events", $$"""
            SELECT CASE
                WHEN a.actor <> {1} THEN to_jsonb(a) - 'tenant_id' - 'route_uid' - 'actor' - 'client_ip'
                WHEN split_part(a.resource, '/', 1) IN ('candidate', 'member', 'user') AND a.resource <> ALL ({{UserData.OwnResources}})
                    THEN to_jsonb(a) - 'tenant_id' - 'route_uid' || jsonb_build_object('resource', split_part(a.resource, '/', 1))
                ELSE to_jsonb(a) - 'tenant_id' - 'route_uid' END
            FROM audit_events a
            WHERE a.tenant_id = {0}
              AND (a.actor = {1} OR a.resource = ANY ({{UserData.OwnResources}})
                   OR a.resource = ANY (ARRAY(SELECT 'session/' || id FROM ({{UserData.SessionIds}}) s))
                   OR a.route_uid = {1})
            ORDER BY a.occurred_at, a.id
            """),
        // The LTI user behind the uid, their launches (without the hash of their one-time secret) and launched sessions.
        ("lti_users", "SELECT to_jsonb(x) - 'tenant_id' FROM lti_users x WHERE x.tenant_id = {0} AND x.uid = {1} ORDER BY x.created_at, x.id"),
        ("lti_launches", "SELECT to_jsonb(x) - 'tenant_id' - 'secret_hash' FROM lti_launches x WHERE x.tenant_id = {0} AND x.uid = {1} ORDER BY x.created_at, x.id"),
        ("lti_session_links", $"SELECT to_jsonb(x) - 'tenant_id' FROM lti_session_links x WHERE x.tenant_id = {{0}} AND x.session_id IN ({UserData.SessionIds}) ORDER BY x.session_id"),
    ];

    /// <summary>Every section of an export, in order: the application's tables, then the workflow engine's.</summary>
    public static IReadOnlyList<string> SectionNames { get; } = [.. Sections.Select(s => s.Table), "workflow_runs", "workflow_steps"];

    /// <summary>Writes the export, inside the caller's repeatable-read transaction (which the caller ends).</summary>
    public static async Task WriteAsync(LearnPlatformDbContext db, Stream body, Guid tenantId, string uid, DateTimeOffset now, CancellationToken ct)
    {
        // Timestamps inside the rows come out in UTC, like the rest of the API.
        await db.Database.ExecuteSqlAsync($"SET LOCAL TimeZone = 'UTC'", ct);

        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("uid", uid);
        writer.WriteString("tenant_id", tenantId);
        writer.WriteString("exported_at", now);
        writer.WriteStartObject("sections");
        foreach (var (table, sql) in Sections)
        {
            var rows = db.Database.SqlQuery<string>(FormattableStringFactory.Create($"SELECT (row)::text AS \"Value\" FROM ({sql}) AS section(row)", tenantId, uid));
            await WriteSectionAsync(writer, table, rows.AsAsyncEnumerable(), ct);
        }
        // The engine's runs that name the user or one of their sessions, and their checkpoints.
        var sessions = await db.Database.SqlQuery<Guid>(UserErasure.Sql(UserData.SessionIds, tenantId, uid, "Value")).ToListAsync(ct);
        var (connection, npgsqlTransaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        var runs = await WorkflowAdmin.RunsReferencingAsync(connection, npgsqlTransaction, tenantId, [uid, .. sessions.Select(s => s.ToString())], ct);
        await WriteSectionAsync(writer, "workflow_runs", WorkflowAdmin.ExportRunsAsync(connection, npgsqlTransaction, runs, ct), ct);
        await WriteSectionAsync(writer, "workflow_steps", WorkflowAdmin.ExportStepsAsync(connection, npgsqlTransaction, runs, ct), ct);
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    private static async Task WriteSectionAsync(Utf8JsonWriter writer, string table, IAsyncEnumerable<string> rows, CancellationToken ct)
    {
        writer.WriteStartArray(table);
        await foreach (var row in rows.WithCancellation(ct))
        {
            writer.WriteRawValue(row, skipInputValidation: true);
            if (writer.BytesPending > 32 * 1024)
            {
                await writer.FlushAsync(ct);
            }
        }
        writer.WriteEndArray();
    }
}
