namespace LearnPlatform.Core.Data;

/// <summary>
/// One event a candidate's browser reported over the telemetry socket. Partitioned by <see cref="SessionDay"/>, the
/// UTC day the session started, so that every event of a session (and every resend of it) lands in one partition.
/// </summary>
public sealed class TelemetryEvent
{
    public Guid TenantId { get; set; }
    public Guid SessionId { get; set; }
    public DateOnly SessionDay { get; set; }

    /// <summary>Assigned by the database; the timeline's order (the order the server received events in).</summary>
    public long Id { get; set; }

    /// <summary>The client's batch number: a resend of the same seq is stored once. Null for a single event sent without one.</summary>
    public long? Seq { get; set; }

    /// <summary>The event's place in its batch.</summary>
    public short Idx { get; set; }

    public required string Type { get; set; }

    /// <summary>When the client says it happened, by its own clock.</summary>
    public DateTimeOffset ClientAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
    public string? QuestionId { get; set; }

    /// <summary>Derived numbers only (jsonb), never text or key codes.</summary>
    public string? Data { get; set; }

    public static DateOnly DayOf(DateTimeOffset sessionStartedAt) => DateOnly.FromDateTime(sessionStartedAt.UtcDateTime);
}

/// <summary>A single-use handshake ticket for the telemetry socket: only its SHA-256 is stored.</summary>
public sealed class TelemetryTicket
{
    public required byte[] TicketHash { get; set; }
    public Guid TenantId { get; set; }
    public Guid SessionId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The latest telemetry connection of a session: a socket of an older generation closes.</summary>
public sealed class TelemetryConnection
{
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public long Generation { get; set; }
    public DateTimeOffset ConnectedAt { get; set; }
}

/// <summary>A tenant's own telemetry retention; without a row the service's default applies.</summary>
public sealed class TelemetrySetting
{
    public Guid TenantId { get; set; }
    public int RetentionDays { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
