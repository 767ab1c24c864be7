using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// The engine's own tables and functions. <see cref="MigrateAsync"/> applies them with the owner's connection, before
/// the host application's own migrations: numbered scripts, each run once, in its own transaction, and recorded in
/// <c>workflow_schema_versions</c>. The host grants its application role <see cref="TableGrants"/> and
/// <see cref="FunctionGrants"/>, and may add a foreign key from <c>workflow_runs.tenant_id</c> to its tenants.
/// </summary>
public static class WorkflowSchema
{
    /// <summary>Every table the engine owns.</summary>
    public static IReadOnlyList<string> Tables { get; } = ["workflow_schema_versions", "workflow_runs", "workflow_steps", "workflow_run_values"];

    /// <summary>
    /// What the role the engine connects as needs: runs are started, claimed and settled, and deleted only when finished
    /// long enough (<c>workflow_purge_finished</c>); checkpoints are written once (erasure blanks them through
    /// <c>workflow_erase_steps</c>); the values of runs' inputs are written by a trigger on the runs, as the role that
    /// writes the run.
    /// </summary>
    public static IReadOnlyDictionary<string, string> TableGrants { get; } = new Dictionary<string, string>
    {
        ["workflow_schema_versions"] = "SELECT",
        ["workflow_runs"] = "SELECT, INSERT, UPDATE",
        ["workflow_steps"] = "SELECT, INSERT",
        ["workflow_run_values"] = "SELECT, INSERT, DELETE",
    };

    /// <summary>Functions the engine's role may execute, by name and argument types.</summary>
    public static IReadOnlyDictionary<string, string> FunctionGrants { get; } = new Dictionary<string, string>
    {
        ["workflow_erase_steps"] = "uuid[]",
        ["workflow_purge_finished"] = "timestamptz, integer",
    };

    /// <summary>pg_advisory_lock key, "LPWFSCHM": two migrators at once take turns.</summary>
    private const long LockKey = 0x4C50_5746_5343_484D;

    private static readonly (int Version, string Sql)[] Scripts =
    [
        (1, """
            -- Databases migrated before the engine owned its schema already have these two tables (the host's old
            -- migration created them, with the same columns and policies); they are taken over as they are.
            DO $v1$ BEGIN
            IF to_regclass('public.workflow_runs') IS NULL THEN
                CREATE TABLE workflow_runs (
                    id uuid PRIMARY KEY,
                    -- Null for a run that belongs to no tenant; only the engine's connections see those.
                    tenant_id uuid,
                    workflow_type text NOT NULL CHECK (char_length(workflow_type) BETWEEN 1 AND 200),
                    -- Idempotency: starting a key that has a run returns that run.
                    workflow_key text NOT NULL UNIQUE CHECK (char_length(workflow_key) BETWEEN 1 AND 400),
                    input jsonb NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
                    -- When a pending run is due: its start, a durable timer, or a retry's backoff.
                    run_at timestamptz NOT NULL,
                    attempt int NOT NULL CHECK (attempt >= 1),
                    max_attempts int NOT NULL CHECK (max_attempts >= 1),
                    -- A new token per claim ('<worker id>#<uuid>'); every write for a claimed run is fenced by it.
                    lease_owner text,
                    lease_expires_at timestamptz,
                    last_error text CHECK (char_length(last_error) <= 1000),
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    completed_at timestamptz,
                    CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
                );
                -- Claiming (status = 'pending' AND run_at <= now ORDER BY run_at) and listing parked runs.
                CREATE INDEX ix_workflow_runs_status_run_at ON workflow_runs (status, run_at);
                -- The rescuer: expired leases.
                CREATE INDEX ix_workflow_runs_lease ON workflow_runs (lease_expires_at) WHERE status = 'running';
                CREATE INDEX ix_workflow_runs_tenant ON workflow_runs (tenant_id, created_at);

                -- Checkpoints: a step's result, written once (INSERT ... ON CONFLICT DO NOTHING) and replayed after.
                CREATE TABLE workflow_steps (
                    run_id uuid NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
                    step_id text NOT NULL CHECK (char_length(step_id) BETWEEN 1 AND 200),
                    -- The run's tenant, copied so the same row-level security policy applies.
                    tenant_id uuid,
                    result jsonb NOT NULL,
                    completed_at timestamptz NOT NULL,
                    PRIMARY KEY (run_id, step_id)
                );

                -- The engine claims and keeps the books for every tenant's runs: its connections set app.workflow_engine
                -- (transaction-local, in the same batch as their queries). Other connections see their tenant's rows only.
                ALTER TABLE workflow_runs ENABLE ROW LEVEL SECURITY;
                ALTER TABLE workflow_runs FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON workflow_runs
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on')
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on');
                ALTER TABLE workflow_steps ENABLE ROW LEVEL SECURITY;
                ALTER TABLE workflow_steps FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON workflow_steps
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on')
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on');
            END IF;
            END $v1$;

            -- Checkpoints are write-once for the engine. Erasure blanks those of finished runs of the connection's own
            -- tenant only, so a run the engine still replays is never changed under it (erasure cancels such runs first).
            CREATE OR REPLACE FUNCTION workflow_erase_steps(p_run_ids uuid[]) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
                v_count integer;
            BEGIN
                IF v_tenant IS NULL THEN
                    RAISE EXCEPTION 'no tenant is set on this connection';
                END IF;
                UPDATE public.workflow_steps st SET result = '{"erased": true}'::jsonb
                FROM public.workflow_runs r
                WHERE st.run_id = r.id AND r.id = ANY (p_run_ids)
                  AND r.tenant_id = v_tenant AND st.tenant_id = v_tenant
                  AND r.status IN ('completed', 'failed', 'cancelled')
                  AND st.result <> '{"erased": true}'::jsonb;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;
            -- Functions are executable by PUBLIC by default; the host grants EXECUTE to the engine's role only.
            REVOKE ALL ON FUNCTION workflow_erase_steps(uuid[]) FROM PUBLIC;
            """),
        (2, """
            -- Retention: completed and cancelled runs, oldest first. Failed (parked) runs stay until an operator acts.
            CREATE INDEX IF NOT EXISTS ix_workflow_runs_finished ON workflow_runs (completed_at) WHERE status IN ('completed', 'cancelled');

            -- One batch of runs finished before p_before (at least a day ago), with their checkpoints (cascade). A run's
            -- key is free again once it is gone, so the host keeps runs longer than any key could be started again.
            CREATE OR REPLACE FUNCTION workflow_purge_finished(p_before timestamptz, p_batch_size integer) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_engine text := current_setting('app.workflow_engine', true);
                v_count integer;
            BEGIN
                IF p_before IS NULL OR p_before > now() - interval '1 day' THEN
                    RAISE EXCEPTION 'workflow_purge_finished: p_before must be at least one day in the past' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF p_batch_size IS NULL OR p_batch_size NOT BETWEEN 1 AND 10000 THEN
                    RAISE EXCEPTION 'workflow_purge_finished: p_batch_size must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                -- Every tenant's runs, as the engine sees them; the caller's own setting is put back before returning.
                PERFORM set_config('app.workflow_engine', 'on', true);
                DELETE FROM public.workflow_runs WHERE id IN (
                    SELECT id FROM public.workflow_runs
                    WHERE status IN ('completed', 'cancelled') AND completed_at < p_before
                    ORDER BY completed_at
                    LIMIT p_batch_size);
                GET DIAGNOSTICS v_count = ROW_COUNT;
                PERFORM set_config('app.workflow_engine', coalesce(v_engine, ''), true);
                RETURN v_count;
            END
            $fn$;
            REVOKE ALL ON FUNCTION workflow_purge_finished(timestamptz, integer) FROM PUBLIC;
            """),
        (3, """
            -- A data subject's runs (WorkflowAdmin.RunsReferencingAsync): every string value of a run's input (up to 200
            -- characters: uids and ids), one row each, kept by a trigger. Under row-level security an index serves only
            -- leakproof operators (text =, not jsonb's @? or ->>), so this table, not a GIN index on input, is what an
            -- export or erasure reads. Written the same way as the scripts above, so running it again changes nothing.
            CREATE TABLE IF NOT EXISTS workflow_run_values (
                run_id uuid NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
                tenant_id uuid,
                value text NOT NULL,
                PRIMARY KEY (run_id, value)
            );
            CREATE INDEX IF NOT EXISTS ix_workflow_run_values_value ON workflow_run_values (tenant_id, value);
            ALTER TABLE workflow_run_values ENABLE ROW LEVEL SECURITY;
            ALTER TABLE workflow_run_values FORCE ROW LEVEL SECURITY;
            DROP POLICY IF EXISTS tenant_isolation ON workflow_run_values;
            CREATE POLICY tenant_isolation ON workflow_run_values
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on')
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on');

            -- As the role that wrote the run, under the same policy: values land in the run's own tenant only.
            CREATE OR REPLACE FUNCTION workflow_index_run_values() RETURNS trigger
            LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    DELETE FROM public.workflow_run_values WHERE run_id = NEW.id;
                END IF;
                INSERT INTO public.workflow_run_values (run_id, tenant_id, value)
                SELECT DISTINCT NEW.id, NEW.tenant_id, v #>> '{}'
                FROM jsonb_path_query(NEW.input, 'strict $.** ? (@.type() == "string")') AS v
                WHERE char_length(v #>> '{}') BETWEEN 1 AND 200;
                RETURN NULL;
            END
            $fn$;
            -- A trigger function needs no EXECUTE grant to fire.
            REVOKE ALL ON FUNCTION workflow_index_run_values() FROM PUBLIC;
            DROP TRIGGER IF EXISTS workflow_runs_index_values ON workflow_runs;
            CREATE TRIGGER workflow_runs_index_values AFTER INSERT OR UPDATE OF input ON workflow_runs
                FOR EACH ROW EXECUTE FUNCTION workflow_index_run_values();

            -- Runs started before this version.
            SET LOCAL app.workflow_engine = 'on';
            INSERT INTO workflow_run_values (run_id, tenant_id, value)
            SELECT DISTINCT r.id, r.tenant_id, v #>> '{}'
            FROM workflow_runs r, jsonb_path_query(r.input, 'strict $.** ? (@.type() == "string")') AS v
            WHERE char_length(v #>> '{}') BETWEEN 1 AND 200
            ON CONFLICT DO NOTHING;
            """),
    ];

    /// <summary>The version a database gets from <see cref="MigrateAsync"/>.</summary>
    public static int Version => Scripts[^1].Version;

    /// <summary>Applies the scripts the database has not had yet, with the owner's connection. Safe to run again.</summary>
    public static async Task MigrateAsync(NpgsqlConnection owner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await ExecuteAsync(owner, null, "SELECT pg_advisory_lock(@key)", ct, LockKey);
        try
        {
            await ExecuteAsync(owner, null, """
                CREATE TABLE IF NOT EXISTS workflow_schema_versions (
                    version int PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, ct);
            var applied = await AppliedVersionAsync(owner, ct);
            foreach (var (version, sql) in Scripts.Where(s => s.Version > applied))
            {
                await using var transaction = await owner.BeginTransactionAsync(ct);
                await ExecuteAsync(owner, transaction, sql, ct);
                await ExecuteAsync(owner, transaction, "INSERT INTO workflow_schema_versions (version) VALUES (@key)", ct, version);
                await transaction.CommitAsync(ct);
            }
        }
        finally
        {
            await ExecuteAsync(owner, null, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, LockKey);
        }
    }

    /// <summary>Whether the database has every script of this engine (readiness: an engine older than its schema is fine, newer is not).</summary>
    public static async Task<bool> IsCurrentAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return await AppliedVersionAsync(connection, ct) >= Version;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    private static async Task<int> AppliedVersionAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM workflow_schema_versions", connection);
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, object? key = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (key is not null)
        {
            command.Parameters.AddWithValue("key", key);
        }
        await command.ExecuteNonQueryAsync(ct);
    }
}
