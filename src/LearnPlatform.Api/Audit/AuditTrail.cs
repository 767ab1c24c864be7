using System.Text.Json;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Audit;

/// <summary>
/// Adds an audit event to the caller's unit of work, so it commits (or rolls back) with the change it records.
/// Details hold identifiers and numbers only: never answer text, tokens or keys. The client address is the
/// caller's, already reduced as Audit:ClientIp says (see <see cref="ClientIpAnonymizer"/>).
/// </summary>
public static class AuditTrail
{
    public static void Record(LearnPlatformDbContext db, Caller caller, DateTimeOffset now, string action, string resource, object? details = null, string outcome = AuditOutcomes.Success)
    {
        db.AuditEvents.Add(new AuditEvent
        {
            TenantId = caller.TenantId,
            OccurredAt = now,
            Actor = caller.Uid,
            Action = action,
            Resource = resource,
            Outcome = outcome,
            ClientIp = caller.ClientIp,
            Details = Serialize(details),
        });
    }

    internal static string? Serialize(object? details) => details is null ? null : JsonSerializer.Serialize(details, JsonColumn.Options);
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>Actions written outside a feature's own unit of work, by <see cref="SecurityAudit"/> and the CLI.</summary>
public static class AuditActions
{
    public const string SignInFailed = "auth.sign_in_failed";
    public const string AccessDenied = "access.denied";
    public const string MemberRoleSet = "member.role_set";
    public const string MemberRemove = "member.remove";

    /// <summary>The actor of operator CLI commands.</summary>
    public const string OperatorActor = "operator";

    /// <summary>The actor of a sign-in failure before any identity is verified.</summary>
    public const string AnonymousActor = "anonymous";
}
