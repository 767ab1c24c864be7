namespace LearnPlatform.Core.Data;

/// <summary>A user's answer to one consent flag; no row means not granted.</summary>
public sealed class Consent
{
    public Guid TenantId { get; set; }
    public required string Uid { get; set; }
    public required string Flag { get; set; }
    public bool Granted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>Derived attention numbers for one session (never media), kept only under the biometric_metrics consent.</summary>
public sealed class SessionMetrics
{
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public double? FocusScore { get; set; }
    public int? TabSwitches { get; set; }
    public DateTimeOffset ReportedAt { get; set; }
}
