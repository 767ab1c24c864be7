using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>The durable workflow engine's tables (src/LearnPlatform.Workflows; docs/adr/ADR-003).</summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122070000_Workflows")]
public sealed class Workflows : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE workflow_runs (
                id uuid PRIMARY KEY,
                -- Null for a run that belongs to no tenant; only the engine's connections see those.
                tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
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
            """);

        foreach (var table in new[] { "workflow_runs", "workflow_steps" })
        {
            // The engine claims and keeps the books for every tenant's runs: its connections set app.workflow_engine
            // (transaction-local, in the same batch as their queries). Request connections see their tenant's rows only.
            migrationBuilder.Sql($"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table}
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on')
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid OR current_setting('app.workflow_engine', true) = 'on');
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE workflow_steps, workflow_runs;");
    }
}
