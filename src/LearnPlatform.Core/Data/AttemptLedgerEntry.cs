namespace LearnPlatform.Core.Data;

/// <summary>
/// How many attempts at a paper one candidate has started, under an HMAC of (tenant, uid, paper) rather than the uid.
/// It outlives the candidate's erasure and the retention of their sessions, so neither resets an attempt limit.
/// </summary>
public sealed class AttemptLedgerEntry
{
    public Guid TenantId { get; set; }
    public Guid PaperId { get; set; }

    /// <summary>HMAC-SHA256 of "tenant|uid|paper" under Privacy:AttemptLedgerKey (32 bytes).</summary>
    public required byte[] SubjectHmac { get; set; }

    public int Attempts { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
