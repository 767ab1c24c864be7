namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Where a user's data lives, as SQL over the parameters @t (tenant) and @u (uid). Export and erasure both use
/// these, so "what belongs to the user" has one definition. Every table that can hold user data appears in
/// <see cref="UserExport.Sections"/>; the completeness test fails for a table that does not.
/// </summary>
public static class UserData
{
    public const string SessionIds = "SELECT id FROM exam_sessions WHERE tenant_id = @t AND candidate_uid = @u";

    /// <summary>Resources named after the user themself, as the audit trail writes them (candidate/{uid} and the like).</summary>
    public const string OwnResources = "ARRAY['candidate/' || @u, 'user/' || @u, 'member/' || @u]";

    /// <summary>
    /// Workflow runs whose input names the user or one of their sessions as a whole string value anywhere in it
    /// (lax jsonpath compares against each element of $refs).
    /// </summary>
    public const string RunIds = $"""
        SELECT w.id FROM workflow_runs w
        WHERE w.tenant_id = @t
          AND jsonb_path_exists(w.input, 'lax $.** ? (@ == $refs)',
                jsonb_build_object('refs', (SELECT jsonb_agg(v) FROM (SELECT @u::text AS v UNION ALL SELECT id::text FROM ({SessionIds}) s) r)))
        """;
}
