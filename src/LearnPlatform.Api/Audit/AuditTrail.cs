using System.Text.Json;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Audit;

/// <summary>
/// Adds an audit event to the caller's unit of work, so it commits (or rolls back) with the change it records.
/// Details hold identifiers and numbers only: never answer text, tokens or keys.
/// </summary>
public static class AuditTrail
{
    public static void Record(LearnPlatformDbContext db, Caller caller, DateTimeOffset now, string action, string resource, object? details = null, string outcome = "success")
    {
        db.AuditEvents.Add(new AuditEvent
        {
            TenantId = caller.TenantId,
            OccurredAt = now,
            Actor = caller.Uid,
            Action = action,
            Resource = resource,
            Outcome = outcome,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonColumn.Options),
        });
    }
}
