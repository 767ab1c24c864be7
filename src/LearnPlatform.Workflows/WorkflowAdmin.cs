using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// For operators: list parked runs, retry or cancel runs. Sees every tenant's runs (it uses the engine's setting),
/// so expose it only to operators. Also the engine's side of a data subject's export and erasure (the static methods),
/// which run on the caller's connection, acting for one tenant, so row-level security keeps them to that tenant's runs.
/// </summary>
public sealed class WorkflowAdmin(NpgsqlDataSource dataSource, TimeProvider? time = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>Parked runs, most recently failed first.</summary>
    public async Task<IReadOnlyList<WorkflowRunInfo>> ListFailedAsync(string? workflowType = null, Guid? tenantId = null, int limit = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, $"""
            SELECT {EngineSql.RunColumns} FROM workflow_runs
            WHERE status = 'failed'
              AND (@type::text IS NULL OR workflow_type = @type)
              AND (@tenant::uuid IS NULL OR tenant_id = @tenant)
            ORDER BY updated_at DESC, id
            LIMIT @limit;
            """);
        command.Parameters.AddWithValue("type", NpgsqlTypes.NpgsqlDbType.Text, (object?)workflowType ?? DBNull.Value);
        command.Parameters.AddWithValue("tenant", NpgsqlTypes.NpgsqlDbType.Uuid, tenantId is { } t ? t : DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        var runs = new List<WorkflowRunInfo>();
        while (await reader.ReadAsync(ct))
        {
            runs.Add(EngineSql.ReadRun(reader));
        }
        return runs;
    }

    public async Task<WorkflowRunInfo?> GetAsync(Guid runId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, $"SELECT {EngineSql.RunColumns} FROM workflow_runs WHERE id = @id;");
        command.Parameters.AddWithValue("id", runId);
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        return await reader.ReadAsync(ct) ? EngineSql.ReadRun(reader) : null;
    }

    /// <summary>Makes a parked run pending again, due now, with a fresh set of attempts. Completed steps are not repeated.</summary>
    /// <returns>false if the run is not parked.</returns>
    public async Task<bool> RetryAsync(Guid runId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, """
            UPDATE workflow_runs SET status = 'pending', attempt = 1, run_at = @now, updated_at = @now
            WHERE id = @id AND status = 'failed'
            RETURNING pg_notify(@channel, '') IS NULL;
            """);
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("channel", EngineSql.Channel);
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        return await reader.ReadAsync(ct);
    }

    /// <summary>
    /// Cancels a run that has not finished. A running run loses its lease: its worker notices at its next heartbeat,
    /// stops it, and can no longer checkpoint or complete it.
    /// </summary>
    /// <returns>false if the run had already completed or been cancelled.</returns>
    public async Task<bool> CancelAsync(Guid runId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, """
            UPDATE workflow_runs
            SET status = 'cancelled', completed_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND status IN ('pending', 'running', 'failed')
            RETURNING id;
            """);
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        return await reader.ReadAsync(ct);
    }

    /// <summary>The SQL of <see cref="RunsReferencingAsync"/> over @tenant (uuid) and @refs (text[]): an index lookup in workflow_run_values.</summary>
    public const string RunsReferencingSql = """
        SELECT DISTINCT run_id FROM workflow_run_values WHERE tenant_id = @tenant AND value = ANY (@refs) ORDER BY run_id
        """;

    /// <summary>
    /// The tenant's runs whose input names any of <paramref name="references"/> (a uid, a session id: up to 200
    /// characters) as a whole string value, anywhere in it.
    /// </summary>
    public static async Task<Guid[]> RunsReferencingAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid tenantId, IReadOnlyCollection<string> references, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentOutOfRangeException.ThrowIfZero(references.Count);
        await using var command = new NpgsqlCommand(RunsReferencingSql, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("refs", references.ToArray());
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }
        return [.. ids];
    }

    /// <summary>
    /// Erases a data subject from runs, in the caller's transaction: unfinished runs are cancelled first (they would go
    /// on using what is being erased, and write checkpoints after), every whole-string <paramref name="value"/> in their
    /// inputs becomes <paramref name="replacement"/>, their last errors go, and the checkpoints of finished runs are blanked.
    /// </summary>
    public static async Task<WorkflowErasure> EraseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<Guid> runIds, string value, string replacement, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        var runs = runIds.ToArray();
        var cancelled = await ExecuteAsync("""
            UPDATE workflow_runs SET status = 'cancelled', completed_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ANY (@runs) AND status IN ('pending', 'running')
            """);
        var scrubbed = await ExecuteAsync("""
            UPDATE workflow_runs SET input = replace(input::text, to_jsonb(@value::text)::text, to_jsonb(@replacement::text)::text)::jsonb,
                last_error = NULL, updated_at = @now
            WHERE id = ANY (@runs)
            """);
        await using var steps = new NpgsqlCommand("SELECT workflow_erase_steps(@runs)", connection, transaction);
        steps.Parameters.AddWithValue("runs", runs);
        var blanked = (int)(await steps.ExecuteScalarAsync(ct))!;
        return new WorkflowErasure(cancelled, scrubbed, blanked);

        async Task<int> ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("runs", runs);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("value", value);
            command.Parameters.AddWithValue("replacement", replacement);
            return await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The runs, as JSON objects without the tenant and the lease bookkeeping (nothing about the subject), for an export.</summary>
    public static IAsyncEnumerable<string> ExportRunsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<Guid> runIds, CancellationToken ct = default) =>
        JsonRowsAsync(connection, transaction, """
            SELECT (to_jsonb(w) - 'tenant_id' - 'lease_owner' - 'lease_expires_at')::text FROM workflow_runs w
            WHERE w.id = ANY (@runs) ORDER BY w.created_at, w.id
            """, runIds, ct);

    /// <summary>The runs' checkpoints, as JSON objects without the tenant, for an export.</summary>
    public static IAsyncEnumerable<string> ExportStepsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<Guid> runIds, CancellationToken ct = default) =>
        JsonRowsAsync(connection, transaction, """
            SELECT (to_jsonb(st) - 'tenant_id')::text FROM workflow_steps st
            WHERE st.run_id = ANY (@runs) ORDER BY st.run_id, st.completed_at, st.step_id
            """, runIds, ct);

    private static async IAsyncEnumerable<string> JsonRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, IReadOnlyCollection<Guid> runIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("runs", runIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return reader.GetString(0);
        }
    }
}

/// <summary>What <see cref="WorkflowAdmin.EraseAsync"/> changed: runs cancelled, runs scrubbed, checkpoints blanked.</summary>
public sealed record WorkflowErasure(int Cancelled, int Runs, int Steps);
