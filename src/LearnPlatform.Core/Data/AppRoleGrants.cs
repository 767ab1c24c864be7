using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Exactly what the application role may do, table by table. `migrate` revokes everything else.
/// A new table gets no access until it is listed here. The workflow engine lists its own (WorkflowSchema).
/// </summary>
public static class AppRoleGrants
{
    public static readonly IReadOnlyDictionary<string, string> Tables = new Dictionary<string, string>(WorkflowSchema.TableGrants)
    {
        ["__EFMigrationsHistory"] = "SELECT",
        ["tenants"] = "SELECT",
        ["memberships"] = "SELECT, INSERT, UPDATE, DELETE",
        ["guest_tokens"] = "SELECT, INSERT, UPDATE",
        ["papers"] = "SELECT, INSERT, UPDATE",
        ["paper_versions"] = "SELECT, INSERT",
        ["exam_sessions"] = "SELECT, INSERT, UPDATE",
        ["session_responses"] = "SELECT, INSERT, UPDATE",
        ["accommodations"] = "SELECT, INSERT, UPDATE, DELETE",
        ["audit_events"] = "SELECT, INSERT",
        // The purge's floor: read by the retention job, changed only by the owner (docs/operations.md, "Audit retention").
        ["audit_retention_floor"] = "SELECT",
        ["question_grades"] = "SELECT, INSERT, UPDATE",
        // Rate-limit counters: upserted per check, swept when expired. Keys are hashes; no tenant data.
        ["rate_limit_counters"] = "SELECT, INSERT, UPDATE, DELETE",
        ["consents"] = "SELECT, INSERT, UPDATE, DELETE",
        ["session_metrics"] = "SELECT, INSERT, UPDATE, DELETE",
        // AI caps: counters go up on reserve and down on release (an author's day counters are deleted with the
        // author's erasure); spend only grows within its month, reservations move through it; a reservation row lives
        // while its request is in flight.
        ["ai_usage_counters"] = "SELECT, INSERT, UPDATE, DELETE",
        ["ai_monthly_spend"] = "SELECT, INSERT, UPDATE",
        ["ai_reservations"] = "SELECT, INSERT, UPDATE, DELETE",
        // LTI: admins edit platforms and replace deployments; users, launches and links are deleted by erasure, and
        // launches also once they are a day old.
        ["lti_platforms"] = "SELECT, INSERT, UPDATE",
        ["lti_deployments"] = "SELECT, INSERT, DELETE",
        ["lti_users"] = "SELECT, INSERT, DELETE",
        ["lti_launches"] = "SELECT, INSERT, UPDATE, DELETE",
        ["lti_session_links"] = "SELECT, INSERT, UPDATE, DELETE",
        // Webhooks: admins add and delete endpoints, deliveries update their failure streak; attempts are deleted after 30 days.
        ["webhook_endpoints"] = "SELECT, INSERT, UPDATE, DELETE",
        ["webhook_deliveries"] = "SELECT, INSERT, DELETE",
        // Exam telemetry: tickets are deleted by the handshake that uses them; events are appended, and deleted only
        // by erasure or a withdrawn consent (partitions past retention go through telemetry_maintain).
        ["telemetry_settings"] = "SELECT, INSERT, UPDATE",
        ["telemetry_tickets"] = "SELECT, INSERT, DELETE",
        ["telemetry_connections"] = "SELECT, INSERT, UPDATE, DELETE",
        ["telemetry_events"] = "SELECT, INSERT, DELETE",
        // Attempts per (keyed hash of) candidate and paper: bumped at every start, never deleted by the application, so
        // neither erasure nor retention gives attempts back.
        ["attempt_ledger"] = "SELECT, INSERT, UPDATE",
        // A tenant's session retention, set by its admins; the purge reads it through retention_purge_sessions.
        ["retention_settings"] = "SELECT, INSERT, UPDATE",
    };

    /// <summary>
    /// Functions the application role may EXECUTE, by name and argument types. `migrate` revokes every other function
    /// in the schema from it. These are SECURITY DEFINER functions for the few rewrites of rows the role may not update.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Functions = new Dictionary<string, string>(WorkflowSchema.FunctionGrants)
    {
        ["privacy_pseudonymize_audit_events"] = "text, text",
        ["privacy_pseudonymize_paper_versions"] = "text, text",
        ["privacy_delete_answers"] = "text",
        // The only way audit rows are deleted, and only those past a cutoff it enforces.
        ["purge_audit_events"] = "timestamptz, integer",
        // Event partitions ahead and past retention; run by the engine's scheduled telemetry-maintenance run.
        ["telemetry_maintain"] = "integer, integer",
        // Sessions and counters past retention; run by the engine's scheduled data-retention run.
        ["retention_purge_sessions"] = "integer, integer, integer",
        ["retention_purge_counters"] = "integer",
    };
}
