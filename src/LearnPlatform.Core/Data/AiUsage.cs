namespace LearnPlatform.Core.Data;

/// <summary>AI calls counted in one scope (a session, or an author's day) for one kind, against its cap.</summary>
public sealed class AiUsageCounter
{
    /// <summary>What reservations point at, so they need not repeat the scope (which can name an author).</summary>
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }
    public required string Scope { get; set; }

    /// <summary>The session id or the author's uid, so a user's counters can be found and erased.</summary>
    public required string Subject { get; set; }

    public required string Kind { get; set; }
    public int N { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// What AI cost a tenant in one month, estimated from token counts: the platform key's spend (<see cref="Usd"/>, with
/// its calls and tokens) and guest sessions' spend on any configured key (<see cref="GuestUsd"/>), each beside what
/// calls still out have reserved against it.
/// </summary>
public sealed class AiMonthlySpend
{
    public Guid TenantId { get; set; }
    public DateOnly Month { get; set; }
    public decimal Usd { get; set; }
    public decimal ReservedUsd { get; set; }
    public decimal GuestUsd { get; set; }
    public decimal GuestReservedUsd { get; set; }
    public int Calls { get; set; }

    /// <summary>Platform-key calls billed at their worst case: timed out, abandoned, or answered without usage counts.</summary>
    public int EstimatedCalls { get; set; }

    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One AI request in flight: its count on two counters (its kind's and the total) and the worst case of its Gemini
/// call still out. Settling or releasing it moves those amounts; a reservation nobody settles (its process died)
/// is reclaimed once <see cref="ExpiresAt"/> passes. It names no user: counters are referred to by id.
/// </summary>
public sealed class AiReservation
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public DateOnly Month { get; set; }
    public Guid KindCounterId { get; set; }
    public Guid TotalCounterId { get; set; }

    /// <summary>A call of the request was answered, so its count stays whatever happens to the reservation.</summary>
    public bool Counted { get; set; }

    /// <summary>Its spend counts against the tenant's platform-key cap.</summary>
    public bool Platform { get; set; }

    /// <summary>Its spend counts against the tenant's guest budget.</summary>
    public bool Guest { get; set; }

    /// <summary>The worst case of the call out now, with its token estimate.</summary>
    public decimal Usd { get; set; }

    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>A fixed-window rate-limit counter shared by every replica; the key is a hash naming no tenant or person.</summary>
public sealed class RateLimitCounter
{
    public required byte[] Key { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public long Count { get; set; }
}
