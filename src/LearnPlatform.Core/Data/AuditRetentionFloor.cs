namespace LearnPlatform.Core.Data;

/// <summary>The one row holding the shortest audit retention purge_audit_events accepts; only the owner role changes it.</summary>
public sealed class AuditRetentionFloor
{
    public bool Id { get; set; }
    public int MinDays { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
