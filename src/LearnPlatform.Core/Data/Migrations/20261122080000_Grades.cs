using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122080000_Grades")]
public sealed class Grades : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE question_grades (
                session_id uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
                question_id text NOT NULL,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                max_score numeric(10, 2) NOT NULL CHECK (max_score > 0),
                auto_score numeric(10, 2) CHECK (auto_score BETWEEN 0 AND max_score),
                auto_status text NOT NULL CHECK (auto_status IN ('graded', 'needs_review')),
                auto_source text CHECK (auto_source IN ('rules', 'ai')),
                auto_feedback text,
                auto_confidence double precision CHECK (auto_confidence BETWEEN 0 AND 1),
                auto_graded_at timestamptz,
                override_score numeric(10, 2) CHECK (override_score BETWEEN 0 AND max_score),
                override_reason text CHECK (char_length(override_reason) BETWEEN 1 AND 2000),
                overridden_by text,
                overridden_at timestamptz,
                PRIMARY KEY (session_id, question_id),
                CHECK ((override_score IS NULL) = (override_reason IS NULL))
            );
            ALTER TABLE question_grades ENABLE ROW LEVEL SECURITY;
            ALTER TABLE question_grades FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON question_grades
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE question_grades;");
}
