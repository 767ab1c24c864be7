using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// The attempt ledger (docs/security.md, "Attempt limits survive erasure"): attempts per paper under a keyed hash of
/// the candidate, which erasure leaves in place, so erasing yourself does not give back used attempts.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261202200000_AttemptLedger")]
public sealed class AttemptLedger : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE TABLE attempt_ledger (
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                paper_id uuid NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
                subject_hmac bytea NOT NULL CHECK (octet_length(subject_hmac) = 32),
                attempts integer NOT NULL CHECK (attempts >= 1),
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, paper_id, subject_hmac)
            );
            ALTER TABLE attempt_ledger ENABLE ROW LEVEL SECURITY;
            ALTER TABLE attempt_ledger FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON attempt_ledger
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE attempt_ledger;");
}
