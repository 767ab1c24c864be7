using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Workflows;

internal sealed record RescuedRun(Guid Id, string WorkflowType, string Status);

internal sealed record ClaimResult(IReadOnlyList<ClaimedRun> Runs, IReadOnlyList<RescuedRun> Rescued, DateTimeOffset? NextDue, IReadOnlySet<string> Completed);

/// <summary>A run whose code finished, to be recorded as completed if this worker still holds it.</summary>
internal sealed record Completion(Guid RunId, string LeaseToken);

/// <summary>
/// The worker's SQL. Every write to a claimed run is fenced by its lease token (<c>lease_owner</c>), which is new for
/// every claim: a worker that lost a run (lease expired and rescued, or cancelled) cannot write to it any more.
/// Leases are judged by the database's clock (<c>now()</c>), so a worker whose own clock runs fast cannot take a live
/// run; due times (timers, backoffs) are the engine's <see cref="TimeProvider"/>, passed as parameters.
/// </summary>
internal sealed class WorkflowStore(NpgsqlDataSource dataSource)
{
    private const string RescueSql = """
        UPDATE workflow_runs
        SET status = CASE WHEN attempt >= max_attempts THEN 'failed' ELSE 'pending' END,
            attempt = CASE WHEN attempt >= max_attempts THEN attempt ELSE attempt + 1 END,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
            last_error = 'lease expired: its worker stopped renewing it (crashed, hung or cut off)'
        WHERE status = 'running' AND lease_expires_at < now()
        RETURNING id, workflow_type, status;
        """;

    // Completions of several runs in one statement (River's completer): a run is completed only if this worker still holds it.
    private const string CompleteSql = """
        UPDATE workflow_runs r
        SET status = 'completed', completed_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
        FROM unnest(@done_ids, @done_tokens) AS d(id, token)
        WHERE r.id = d.id AND r.status = 'running' AND r.lease_owner = d.token
        RETURNING d.token;
        """;

    /// <summary>The claim itself; run after <see cref="EngineSql.EngineOnClaiming"/>, which keeps its plan to the index order.</summary>
    internal const string ClaimDueSql = """
        UPDATE workflow_runs r
        SET status = 'running', lease_owner = @worker || '#' || gen_random_uuid(), lease_expires_at = now() + @lease, updated_at = @now
        FROM (
            SELECT id FROM workflow_runs
            WHERE status = 'pending' AND run_at <= @now AND workflow_type = ANY(@types)
            ORDER BY run_at
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        ) due
        WHERE r.id = due.id
        RETURNING r.id, r.tenant_id, r.workflow_type, r.workflow_key, r.input::text, r.attempt, r.max_attempts, r.lease_owner,
            (SELECT json_object_agg(s.step_id, s.result)::text FROM workflow_steps s WHERE s.run_id = r.id);

        """;

    private const string ClaimSql = ClaimDueSql + """
        SELECT min(run_at) FROM workflow_runs WHERE status = 'pending' AND workflow_type = ANY(@types);
        """;

    /// <summary>
    /// One round trip and one commit, on the worker's <paramref name="claims"/> connection: records
    /// <paramref name="completions"/>, optionally rescues expired leases, claims up to <paramref name="limit"/> due runs of
    /// <paramref name="types"/> (with their checkpoints), and reads when the next pending run is due.
    /// </summary>
    public static async Task<ClaimResult> ClaimAsync(
        ClaimConnection claims, string workerId, string[] types, int limit, DateTimeOffset now, TimeSpan lease, bool rescue,
        IReadOnlyList<Completion> completions, CancellationToken ct)
    {
        var complete = completions.Count > 0;
        try
        {
            var command = await claims.CommandAsync(complete, rescue, connection => ClaimCommand(connection, complete, rescue), ct);
            command.Parameters["now"].Value = now;
            command.Parameters["worker"].Value = workerId;
            command.Parameters["lease"].Value = lease;
            command.Parameters["types"].Value = types;
            command.Parameters["limit"].Value = limit;
            if (complete)
            {
                command.Parameters["done_ids"].Value = completions.Select(c => c.RunId).ToArray();
                command.Parameters["done_tokens"].Value = completions.Select(c => c.LeaseToken).ToArray();
            }
            return await ReadClaimAsync(command, complete, rescue, ct);
        }
        catch
        {
            await claims.ResetAsync();
            throw;
        }
    }

    /// <summary>A claim statement with typed parameters, so that it can be prepared; values are set per execution.</summary>
    private static NpgsqlCommand ClaimCommand(NpgsqlConnection connection, bool complete, bool rescue)
    {
        var command = new NpgsqlCommand(EngineSql.EngineOnClaiming + (complete ? CompleteSql : "") + (rescue ? RescueSql : "") + ClaimSql, connection);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz));
        command.Parameters.Add(new NpgsqlParameter("worker", NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Interval));
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer));
        if (complete)
        {
            command.Parameters.Add(new NpgsqlParameter("done_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid));
            command.Parameters.Add(new NpgsqlParameter("done_tokens", NpgsqlDbType.Array | NpgsqlDbType.Text));
        }
        return command;
    }

    private static async Task<ClaimResult> ReadClaimAsync(NpgsqlCommand command, bool complete, bool rescue, CancellationToken ct)
    {
        await using var reader = await EngineSql.ReaderAsync(command, ct);

        var completed = new HashSet<string>(StringComparer.Ordinal);
        if (complete)
        {
            while (await reader.ReadAsync(ct))
            {
                completed.Add(reader.GetString(0));
            }
            await reader.NextResultAsync(ct);
        }

        var rescued = new List<RescuedRun>();
        if (rescue)
        {
            while (await reader.ReadAsync(ct))
            {
                rescued.Add(new RescuedRun(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
            }
            await reader.NextResultAsync(ct);
        }

        var runs = new List<ClaimedRun>();
        while (await reader.ReadAsync(ct))
        {
            runs.Add(new ClaimedRun(
                Id: reader.GetGuid(0),
                TenantId: reader.IsDBNull(1) ? null : reader.GetGuid(1),
                WorkflowType: reader.GetString(2),
                WorkflowKey: reader.GetString(3),
                InputJson: reader.GetString(4),
                Attempt: reader.GetInt32(5),
                MaxAttempts: reader.GetInt32(6),
                LeaseToken: reader.GetString(7),
                Checkpoints: reader.IsDBNull(8) ? new Dictionary<string, string>() : ParseCheckpoints(reader.GetString(8))));
        }

        await reader.NextResultAsync(ct);
        DateTimeOffset? nextDue = null;
        if (await reader.ReadAsync(ct) && !reader.IsDBNull(0))
        {
            nextDue = reader.GetFieldValue<DateTimeOffset>(0);
        }
        return new ClaimResult(runs, rescued, nextDue, completed);
    }

    /// <summary>Records completions on their own (when the worker is no longer claiming); returns the tokens it completed.</summary>
    public async Task<IReadOnlySet<string>> CompleteAsync(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.LeaseCommand(connection, CompleteSql);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("done_ids", completions.Select(c => c.RunId).ToArray());
        command.Parameters.AddWithValue("done_tokens", completions.Select(c => c.LeaseToken).ToArray());
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        var completed = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            completed.Add(reader.GetString(0));
        }
        return completed;
    }

    /// <summary>Extends the leases this worker still holds; returns the tokens it renewed (the others are lost).</summary>
    public async Task<HashSet<string>> HeartbeatAsync(string[] leaseTokens, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.LeaseCommand(connection, """
            UPDATE workflow_runs SET lease_expires_at = now() + @lease, updated_at = @now
            WHERE status = 'running' AND lease_owner = ANY(@tokens)
            RETURNING lease_owner;
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("tokens", leaseTokens);
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        var renewed = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            renewed.Add(reader.GetString(0));
        }
        return renewed;
    }

    /// <summary>
    /// Saves a step's result unless the step already has one (INSERT ... ON CONFLICT DO NOTHING). Returns the stored
    /// result (this one, or the one another execution saved first), or null if this worker lost the run. The run's row
    /// is share-locked, so a cancel still uncommitted (an erasure, which blanks the run's checkpoints) is waited for and
    /// then wins: nothing is saved after it.
    /// </summary>
    public async Task<string?> CheckpointAsync(ClaimedRun run, string stepId, string resultJson, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, """
            INSERT INTO workflow_steps (run_id, step_id, tenant_id, result, completed_at)
            SELECT id, @step, tenant_id, @result, @now FROM workflow_runs
            WHERE id = @run AND status = 'running' AND lease_owner = @lease
            FOR SHARE
            ON CONFLICT (run_id, step_id) DO NOTHING;
            SELECT result::text FROM workflow_steps WHERE run_id = @run AND step_id = @step;
            """);
        command.Parameters.AddWithValue("run", run.Id);
        command.Parameters.AddWithValue("step", stepId);
        command.Parameters.AddWithValue("result", NpgsqlDbType.Jsonb, resultJson);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", run.LeaseToken);
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        return await reader.ReadAsync(ct) ? reader.GetString(0) : null;
    }

    /// <summary>Pending again at <paramref name="runAt"/>, attempt unchanged (a timer, or a release on shutdown).</summary>
    public Task<bool> RescheduleAsync(ClaimedRun run, DateTimeOffset runAt, DateTimeOffset now, CancellationToken ct) =>
        FencedUpdateAsync(run, """
            UPDATE workflow_runs
            SET status = 'pending', run_at = @run_at, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @run AND status = 'running' AND lease_owner = @lease
            RETURNING id;
            """, now, runAt, null, ct);

    /// <summary>Pending again at <paramref name="retryAt"/> with the next attempt.</summary>
    public Task<bool> RetryLaterAsync(ClaimedRun run, DateTimeOffset retryAt, string error, DateTimeOffset now, CancellationToken ct) =>
        FencedUpdateAsync(run, """
            UPDATE workflow_runs
            SET status = 'pending', attempt = attempt + 1, run_at = @run_at, last_error = @error, updated_at = @now,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @run AND status = 'running' AND lease_owner = @lease
            RETURNING id;
            """, now, retryAt, error, ct);

    public Task<bool> ParkAsync(ClaimedRun run, string error, DateTimeOffset now, CancellationToken ct) =>
        FencedUpdateAsync(run, """
            UPDATE workflow_runs
            SET status = 'failed', last_error = @error, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @run AND status = 'running' AND lease_owner = @lease
            RETURNING id;
            """, now, null, error, ct);

    /// <summary>Gives runs back (pending, due now, attempt unchanged) if this worker still holds them.</summary>
    public async Task<int> ReleaseAsync(string[] leaseTokens, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, """
            UPDATE workflow_runs
            SET status = 'pending', run_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE status = 'running' AND lease_owner = ANY(@tokens)
            RETURNING id;
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("tokens", leaseTokens);
        var released = 0;
        await using (var reader = await EngineSql.ReaderAsync(command, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                released++;
            }
        }
        if (released > 0)
        {
            // Other workers need not wait for their next poll to take these over.
            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, '')", connection);
            notify.Parameters.AddWithValue("channel", EngineSql.Channel);
            await notify.ExecuteNonQueryAsync(ct);
        }
        return released;
    }

    private async Task<bool> FencedUpdateAsync(ClaimedRun run, string sql, DateTimeOffset now, DateTimeOffset? runAt, string? error, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, sql);
        command.Parameters.AddWithValue("run", run.Id);
        command.Parameters.AddWithValue("lease", run.LeaseToken);
        command.Parameters.AddWithValue("now", now);
        if (runAt is { } at)
        {
            command.Parameters.AddWithValue("run_at", EngineSql.DueTime(at, now));
        }
        if (error is not null)
        {
            command.Parameters.AddWithValue("error", error);
        }
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        return await reader.ReadAsync(ct);
    }

    private static Dictionary<string, string> ParseCheckpoints(string json)
    {
        using var document = JsonDocument.Parse(json);
        var checkpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            checkpoints[property.Name] = property.Value.GetRawText();
        }
        return checkpoints;
    }
}
