namespace LearnPlatform.Workflows;

public sealed record WorkflowWorkerOptions
{
    /// <summary>Shown in leases and logs; unique per worker. Default: machine/process/random.</summary>
    public string? WorkerId { get; init; }

    /// <summary>Runs this worker executes at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>How long a claim holds without a heartbeat; a crashed worker's runs are rescued after it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often held leases are renewed. Default: a third of the lease.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>The longest <see cref="PollInterval"/>: runs due later than this from their start are not notified.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The fallback when no notification arrives (LISTEN/NOTIFY wakes workers at once for runs due now), and how far
    /// ahead a worker looks for runs coming due; at most <see cref="MaxPollInterval"/>.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often this worker looks for expired leases to rescue.</summary>
    public TimeSpan RescueInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a finished run may wait for others still executing, so that their completions are recorded in one
    /// commit (and their slots refilled by the same statement's claim).
    /// </summary>
    public TimeSpan CompletionWindow { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How often a worker started before its schema's migrations checks again (it claims nothing until then).</summary>
    public TimeSpan SchemaCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>On stop, how long in-flight runs may take to finish before they are cancelled and released.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    internal TimeSpan Heartbeat => HeartbeatInterval ?? LeaseDuration / 3;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1);
        if (LeaseDuration <= TimeSpan.Zero || Heartbeat <= TimeSpan.Zero || Heartbeat >= LeaseDuration)
        {
            throw new ArgumentException("WorkflowWorkerOptions needs LeaseDuration > 0 and 0 < HeartbeatInterval < LeaseDuration.");
        }
        if (PollInterval <= TimeSpan.Zero || PollInterval > MaxPollInterval || RescueInterval <= TimeSpan.Zero || SchemaCheckInterval <= TimeSpan.Zero || ShutdownGrace < TimeSpan.Zero || CompletionWindow < TimeSpan.Zero)
        {
            throw new ArgumentException("WorkflowWorkerOptions needs 0 < PollInterval <= 1 minute, RescueInterval > 0, SchemaCheckInterval > 0, ShutdownGrace >= 0 and CompletionWindow >= 0.");
        }
    }
}
