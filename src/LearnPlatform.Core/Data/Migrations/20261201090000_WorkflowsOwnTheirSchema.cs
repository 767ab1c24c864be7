using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// The workflow engine owns its tables and SQL (LearnPlatform.Workflows.WorkflowSchema, applied before these migrations).
/// What stays the application's: a run belongs to one of its tenants (deleted with it). Erasure now goes through the
/// engine (WorkflowAdmin.EraseAsync and its workflow_erase_steps), so the application's own copy of that function goes.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201090000_WorkflowsOwnTheirSchema")]
public sealed class WorkflowsOwnTheirSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP FUNCTION IF EXISTS privacy_erase_workflow_steps(uuid[]);
            -- Databases migrated before the engine owned its schema have this key already.
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'workflow_runs'::regclass AND contype = 'f') THEN
                    ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_tenant_id_fkey
                        FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
                END IF;
            END $$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE workflow_runs DROP CONSTRAINT IF EXISTS workflow_runs_tenant_id_fkey;");
}
