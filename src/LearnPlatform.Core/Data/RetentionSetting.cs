namespace LearnPlatform.Core.Data;

/// <summary>A tenant's own session retention: days a graded session is kept after its last grading (30 to 3650).</summary>
public sealed class RetentionSetting
{
    public Guid TenantId { get; set; }
    public int SessionDays { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
