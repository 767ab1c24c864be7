namespace LearnPlatform.Core.Data;

/// <summary>AI calls counted in one scope (a session, or an author's day) for one kind, against its cap.</summary>
public sealed class AiUsageCounter
{
    public Guid TenantId { get; set; }
    public required string Scope { get; set; }

    /// <summary>The session id or the author's uid, so a user's counters can be found and erased.</summary>
    public required string Subject { get; set; }

    public required string Kind { get; set; }
    public int N { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What the platform key cost a tenant in one month, estimated from token counts.</summary>
public sealed class AiMonthlySpend
{
    public Guid TenantId { get; set; }
    public DateOnly Month { get; set; }
    public decimal Usd { get; set; }
    public int Calls { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A fixed-window rate-limit counter shared by every replica; the key is a hash naming no tenant or person.</summary>
public sealed class RateLimitCounter
{
    public required byte[] Key { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public long Count { get; set; }
}
