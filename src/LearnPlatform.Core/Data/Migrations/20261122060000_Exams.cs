using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122060000_Exams")]
public sealed class Exams : Migration
{
    private static readonly string[] TenantTables =
        ["papers", "paper_versions", "exam_sessions", "session_responses", "grading_requests", "accommodations", "audit_events"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE papers (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                content jsonb NOT NULL,
                version int NOT NULL CHECK (version >= 1),
                status text NOT NULL CHECK (status IN ('draft', 'published')),
                published_version int CHECK (published_version BETWEEN 1 AND version),
                created_by text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX ix_papers_tenant ON papers (tenant_id, id);

            CREATE TABLE paper_versions (
                paper_id uuid NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
                version int NOT NULL,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                content jsonb NOT NULL,
                published_by text NOT NULL,
                published_at timestamptz NOT NULL,
                PRIMARY KEY (paper_id, version)
            );

            CREATE TABLE exam_sessions (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                paper_id uuid NOT NULL,
                paper_version int NOT NULL,
                candidate_uid text,
                attempt int NOT NULL CHECK (attempt >= 1),
                status text NOT NULL CHECK (status IN ('in_progress', 'submitted', 'grading', 'graded', 'needs_review')),
                started_at timestamptz NOT NULL,
                deadline timestamptz NOT NULL CHECK (deadline > started_at),
                submitted_at timestamptz,
                layout jsonb NOT NULL,
                score numeric(10, 2),
                max_score numeric(10, 2),
                graded_at timestamptz,
                FOREIGN KEY (paper_id, paper_version) REFERENCES paper_versions (paper_id, version)
            );
            -- A candidate has at most one session in progress per paper, and attempt numbers never repeat:
            -- two racing starts cannot both succeed.
            CREATE UNIQUE INDEX ux_exam_sessions_one_in_progress ON exam_sessions (tenant_id, paper_id, candidate_uid)
                WHERE status = 'in_progress' AND candidate_uid IS NOT NULL;
            CREATE UNIQUE INDEX ux_exam_sessions_attempt ON exam_sessions (tenant_id, paper_id, candidate_uid, attempt)
                WHERE candidate_uid IS NOT NULL;
            CREATE INDEX ix_exam_sessions_paper ON exam_sessions (tenant_id, paper_id, started_at);
            CREATE INDEX ix_exam_sessions_candidate ON exam_sessions (tenant_id, candidate_uid, started_at);
            CREATE INDEX ix_exam_sessions_open_deadline ON exam_sessions (deadline) WHERE status = 'in_progress';

            ALTER TABLE guest_tokens ADD FOREIGN KEY (session_id) REFERENCES exam_sessions (id) ON DELETE CASCADE;

            CREATE TABLE session_responses (
                session_id uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
                question_id text NOT NULL,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                answer jsonb NOT NULL,
                version int NOT NULL CHECK (version >= 1),
                saved_at timestamptz NOT NULL,
                PRIMARY KEY (session_id, question_id)
            );

            CREATE TABLE grading_requests (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                session_id uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
                reason text NOT NULL CHECK (reason IN ('submit', 'deadline', 'regrade')),
                created_at timestamptz NOT NULL
            );
            CREATE INDEX ix_grading_requests_session ON grading_requests (session_id);

            CREATE TABLE accommodations (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                candidate_uid text NOT NULL CHECK (char_length(candidate_uid) BETWEEN 1 AND 128),
                paper_id uuid REFERENCES papers (id) ON DELETE CASCADE,
                time_multiplier numeric(4, 2) NOT NULL CHECK (time_multiplier BETWEEN 1 AND 4),
                extra_minutes int NOT NULL CHECK (extra_minutes BETWEEN 0 AND 1440),
                updated_by text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                UNIQUE NULLS NOT DISTINCT (tenant_id, candidate_uid, paper_id)
            );

            CREATE TABLE audit_events (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                occurred_at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                resource text NOT NULL,
                outcome text NOT NULL,
                client_ip text,
                details jsonb
            );
            CREATE INDEX ix_audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC);
            """);

        foreach (var table in TenantTables)
        {
            migrationBuilder.Sql($"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table}
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
                """);
        }

        migrationBuilder.Sql("""
            -- An anonymous guest names only a paper: knowing its id makes that one paper's row visible,
            -- so the service can check it is published with guest access and learn its tenant.
            CREATE POLICY guest_paper_lookup ON papers FOR SELECT
                USING (id = nullif(current_setting('app.guest_paper_id', true), '')::uuid);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE guest_tokens DROP CONSTRAINT IF EXISTS guest_tokens_session_id_fkey;
            DROP TABLE audit_events, accommodations, grading_requests, session_responses, exam_sessions, paper_versions, papers;
            """);
    }
}
