using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// For operators: list parked runs, retry or cancel runs. Sees every tenant's runs (it uses the engine's setting),
/// so expose it only to operators.
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
}
