namespace LearnPlatform.Core.Data;

/// <summary>
/// Exactly what the application role may do, table by table. `migrate` revokes everything else.
/// A new table gets no access until it is listed here.
/// </summary>
public static class AppRoleGrants
{
    public static readonly IReadOnlyDictionary<string, string> Tables = new Dictionary<string, string>
    {
        ["__EFMigrationsHistory"] = "SELECT",
        ["tenants"] = "SELECT",
        ["memberships"] = "SELECT, INSERT, UPDATE, DELETE",
        ["guest_tokens"] = "SELECT, INSERT, UPDATE",
        ["papers"] = "SELECT, INSERT, UPDATE",
        ["paper_versions"] = "SELECT, INSERT",
        ["exam_sessions"] = "SELECT, INSERT, UPDATE",
        ["session_responses"] = "SELECT, INSERT, UPDATE",
        ["grading_requests"] = "SELECT, INSERT, DELETE",
        ["accommodations"] = "SELECT, INSERT, UPDATE, DELETE",
        ["audit_events"] = "SELECT, INSERT",
        ["question_grades"] = "SELECT, INSERT, UPDATE",
        // The workflow engine: runs are started, claimed and settled, never deleted; checkpoints are written once.
        ["workflow_runs"] = "SELECT, INSERT, UPDATE",
        ["workflow_steps"] = "SELECT, INSERT",
        // AI caps: counters go up on reserve and down on release; spend only grows within its month.
        ["ai_usage_counters"] = "SELECT, INSERT, UPDATE",
        ["ai_monthly_spend"] = "SELECT, INSERT, UPDATE",
    };
}
