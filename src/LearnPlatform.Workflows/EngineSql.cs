using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// The engine's connections see every tenant's runs: its commands start with <see cref="EngineOn"/>, which sets
/// <c>app.workflow_engine</c> for the implicit transaction of that one batch only (is_local), so the setting can
/// neither outlive the command nor reach whoever uses the pooled connection next.
/// </summary>
internal static class EngineSql
{
    public const string Channel = "learnplatform_workflows";

    public const string EngineOn = "SELECT set_config('app.workflow_engine', 'on', true);\n";

    public const string RunColumns =
        "id, tenant_id, workflow_type, workflow_key, status, attempt, max_attempts, run_at, last_error, created_at, updated_at, completed_at";

    /// <summary>
    /// For the lease bookkeeping only (claims, rescues, heartbeats, completions): the commit does not wait for the WAL to
    /// reach disk. Losing such a commit in a database crash loses nothing the leases do not recover: a lost claim leaves
    /// the run pending (the worker's fenced writes then fail and it stops), a lost completion or heartbeat lets the lease
    /// expire and the run is rescued and runs again; runs are at least once either way. Checkpoints and everything else
    /// commit durably.
    /// </summary>
    /// <remarks>
    /// Set with set_config in the same statement as <see cref="EngineOn"/>, not with SET LOCAL: Npgsql sends a batch's
    /// statements in the extended protocol, where PostgreSQL logs a warning for every SET LOCAL outside BEGIN.
    /// </remarks>
    public const string EngineOnLeaseBookkeeping = "SELECT set_config('app.workflow_engine', 'on', true), set_config('synchronous_commit', 'off', true);\n";

    /// <summary>
    /// The claim statement's first statement: <see cref="EngineOnLeaseBookkeeping"/>, and for this transaction no sorts
    /// or bitmap scans, so the claim reads the due runs in the order of the (status, run_at) index and stops at its limit.
    /// Without that, a table whose statistics lag behind a burst of starts (autovacuum analyzes it a minute later, and
    /// never before the first time) is estimated to hold a few pending runs, and the planner sorts every pending run at
    /// every claim: 50 ms per claim with 13,000 queued, measured.
    /// </summary>
    public const string EngineOnClaiming =
        "SELECT set_config('app.workflow_engine', 'on', true), set_config('synchronous_commit', 'off', true), set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true);\n";

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql) => new(EngineOn + sql, connection);

    public static NpgsqlCommand LeaseCommand(NpgsqlConnection connection, string sql) => new(EngineOnLeaseBookkeeping + sql, connection);

    /// <summary>Runs an engine command and moves past the result of its set_config.</summary>
    public static async Task<NpgsqlDataReader> ReaderAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var reader = await command.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return reader;
    }

    public static WorkflowRunInfo ReadRun(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.IsDBNull(1) ? null : reader.GetGuid(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetInt32(5),
        reader.GetInt32(6),
        reader.GetFieldValue<DateTimeOffset>(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.GetFieldValue<DateTimeOffset>(10),
        reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11));

    /// <summary>
    /// A due time at PostgreSQL's microsecond precision. A future time is rounded up, so a run never becomes due
    /// before the time its code asked for (and re-suspends); a time that has come is rounded down, so it is due now.
    /// </summary>
    public static DateTimeOffset DueTime(DateTimeOffset at, DateTimeOffset now)
    {
        var utc = at.ToUniversalTime();
        var remainder = utc.Ticks % TimeSpan.TicksPerMicrosecond;
        return remainder == 0 ? utc
            : at > now ? utc.AddTicks(TimeSpan.TicksPerMicrosecond - remainder)
            : utc.AddTicks(-remainder);
    }
}
