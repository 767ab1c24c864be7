using System.Collections.Frozen;
using LearnPlatform.Api.Audit;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// Where a user's data lives, as SQL over the arguments {0} (tenant) and {1} (uid) of a FormattableString. Export and
/// erasure both use these, so "what belongs to the user" has one definition. Every table that can hold user data
/// appears in <see cref="UserExport"/>; the completeness test fails for a table that does not. The workflow engine's
/// runs that name the user or one of their sessions are found by the engine (WorkflowAdmin.RunsReferencingAsync).
/// </summary>
public static class UserData
{
    public const string SessionIds = "SELECT id FROM exam_sessions WHERE tenant_id = {0} AND candidate_uid = {1}";

    /// <summary>Resources named after the user themself, as the audit trail writes them (candidate/{uid} and the like).</summary>
    public const string OwnResources = "ARRAY['candidate/' || {1}, 'user/' || {1}, 'member/' || {1}]";

    /// <summary>
    /// Names the audit trail gives actors that are not users (the worker's "system", the CLI's "operator", a sign-in
    /// failure's "anonymous", an aggregated row's "*"), role names, and the prefixes of guests' actors and of erasure's
    /// pseudonyms. No user's data is held under them, so export and erasure answer 404 for them.
    /// </summary>
    private static readonly FrozenSet<string> NotUsers = new[]
    {
        "system", AuditActions.OperatorActor, AuditActions.AnonymousActor, "*", Roles.Candidate, Roles.Author, Roles.Admin, "guest",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] NotUserPrefixes = ["guest:", UserErasure.PseudonymPrefix];

    public static bool IsNotAUser(string uid) =>
        NotUsers.Contains(uid) || NotUserPrefixes.Any(p => uid.StartsWith(p, StringComparison.Ordinal));
}
