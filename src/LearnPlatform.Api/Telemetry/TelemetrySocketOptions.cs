namespace LearnPlatform.Api.Telemetry;

/// <summary>Configuration section <c>Telemetry</c> (the socket and the ingest; retention is TelemetryStoreOptions).</summary>
public sealed class TelemetrySocketOptions
{
    /// <summary>Events a socket may send a second, sustained over 5 seconds, before it is closed with 1008.</summary>
    public int MaxEventsPerSecond { get; set; } = 20;

    /// <summary>How often the server sends a heartbeat and re-reads the session (status, deadline, newer connection).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Frames waiting to be stored, across all sockets of the process; when full, sockets wait.</summary>
    public int IngestQueueFrames { get; set; } = 4000;

    /// <summary>Events stored per transaction, at most.</summary>
    public int IngestBatchRows { get; set; } = 5000;

    /// <summary>Transactions in flight at once (G5 in docs/benchmarks.md: 2 did better than 4 on 2 cores).</summary>
    public int IngestWriters { get; set; } = 2;

    /// <summary>Frames a socket may have waiting for their acknowledgement; the next one waits.</summary>
    public int MaxUnackedFrames { get; set; } = 16;
}

/// <summary>What a live socket knows of its session, read once at the handshake.</summary>
public sealed record LiveSession(
    Guid TenantId, Guid SessionId, DateOnly SessionDay, DateTimeOffset Deadline, IReadOnlySet<string> QuestionIds, bool BiometricsConsented);

/// <summary>The close codes of the telemetry socket (docs/api.md).</summary>
public static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;
    public const int UnsupportedData = 1003;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int InternalError = 1011;
    public const int Replaced = 4000;
}
