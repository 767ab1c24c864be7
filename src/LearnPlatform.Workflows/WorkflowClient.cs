using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Workflows;

/// <summary>Starts workflow runs, inside the caller's transaction.</summary>
public sealed class WorkflowClient(WorkflowRegistry registry, TimeProvider? time = null)
{
    private const string EngineOnKeepingOuter = """
        SELECT set_config('app.workflow_engine_outer', coalesce(current_setting('app.workflow_engine', true), ''), true);
        SELECT set_config('app.workflow_engine', 'on', true);

        """;

    private const string EngineRestoreOuter = """

        SELECT set_config('app.workflow_engine', current_setting('app.workflow_engine_outer'), true);
        """;

    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>
    /// Records a run on <paramref name="connection"/>, in <paramref name="transaction"/> if given, and notifies the
    /// workers when that transaction commits: a rolled-back change starts nothing, a committed one is durable even
    /// if this process dies the next instant. Starting a key that already has a run does nothing and returns that run.
    /// </summary>
    /// <remarks>
    /// Row-level security applies on the caller's connection: a tenant's run can be started only on a connection acting
    /// for that tenant (app.tenant_id). A run of no tenant (<paramref name="tenantId"/> null) can be started on any. Keys are global; put the tenant or the subject in them, e.g. <c>grade:{sessionId}</c>.
    /// </remarks>
    /// <param name="runAt">When the run becomes due; now if null.</param>
    public async Task<WorkflowStart> StartAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string workflowType,
        string workflowKey,
        object input,
        Guid? tenantId,
        DateTimeOffset? runAt = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowKey);
        if (workflowKey.Length > 400)
        {
            throw new ArgumentException("workflow keys are at most 400 characters", nameof(workflowKey));
        }
        var definition = registry.Get(workflowType);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);

        // A run of no tenant is visible to the engine only, so the insert turns the engine's setting on for these
        // statements and then restores what the caller's transaction had.
        await using var command = new NpgsqlCommand((tenantId is null ? EngineOnKeepingOuter : "") + """
            INSERT INTO workflow_runs (id, tenant_id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, created_at, updated_at)
            VALUES (@id, @tenant, @type, @key, @input, 'pending', @run_at, 1, @max_attempts, @now, @now)
            ON CONFLICT (workflow_key) DO NOTHING;
            SELECT id FROM workflow_runs WHERE workflow_key = @key;
            SELECT pg_notify(@channel, '') FROM workflow_runs WHERE id = @id AND run_at <= @notify_before;
            """ + (tenantId is null ? EngineRestoreOuter : ""), connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("tenant", NpgsqlDbType.Uuid, tenantId is { } tenant ? tenant : DBNull.Value);
        command.Parameters.AddWithValue("type", definition.Type);
        command.Parameters.AddWithValue("key", workflowKey);
        command.Parameters.AddWithValue("input", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(input, input.GetType(), WorkflowJson.Options));
        command.Parameters.AddWithValue("run_at", EngineSql.DueTime(runAt ?? now, now));
        command.Parameters.AddWithValue("max_attempts", definition.Options.MaxAttempts);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("channel", EngineSql.Channel);
        // A run due later than any worker's next poll needs no wake-up: that poll sees it and sleeps until it is due.
        // Skipping it matters because PostgreSQL serializes the commits of notifying transactions.
        command.Parameters.AddWithValue("notify_before", now + WorkflowWorkerOptions.MaxPollInterval);

        Guid? existing = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (tenantId is null)
            {
                await reader.NextResultAsync(ct);
                await reader.NextResultAsync(ct);
            }
            if (await reader.ReadAsync(ct))
            {
                existing = reader.GetGuid(0);
            }
        }
        return existing is { } runId
            ? new WorkflowStart(runId, Created: runId == id)
            : throw new WorkflowKeyConflictException($"workflow key '{workflowKey}' belongs to a run this connection cannot see");
    }
}
