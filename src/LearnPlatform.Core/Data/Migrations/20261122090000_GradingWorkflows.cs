using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Grading moves to workflow runs started in the submitting transaction, so the request table goes. A session points
/// at the grading run that may write its grades: a regrade supersedes a run still working, which then writes nothing.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122090000_GradingWorkflows")]
public sealed class GradingWorkflows : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE grading_requests;
            ALTER TABLE exam_sessions ADD COLUMN grading_run_id uuid;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE exam_sessions DROP COLUMN grading_run_id;
            CREATE TABLE grading_requests (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                session_id uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
                reason text NOT NULL CHECK (reason IN ('submit', 'deadline', 'regrade')),
                created_at timestamptz NOT NULL
            );
            CREATE INDEX ix_grading_requests_session ON grading_requests (session_id);
            ALTER TABLE grading_requests ENABLE ROW LEVEL SECURITY;
            ALTER TABLE grading_requests FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON grading_requests
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            """);
}
