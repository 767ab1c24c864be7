using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// AI spend that cannot be overshot or undercounted. A call's worst case is reserved against the month's spend before
/// it goes out (<c>UPDATE ... WHERE usd + reserved_usd + estimate &lt;= cap</c>) and settled to what it cost;
/// guests get a budget of their own beside the tenant's; each request in flight is a row of ai_reservations with an
/// expiry, so a process that dies mid-call cannot leave its reservation counted for ever. Reservations point at
/// counters by id, so they hold no scope (which can name an author).
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201200000_AiReservations")]
public sealed class AiReservations : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE ai_usage_counters ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
            ALTER TABLE ai_usage_counters ADD CONSTRAINT ai_usage_counters_id_key UNIQUE (id);

            ALTER TABLE ai_monthly_spend
                ADD COLUMN reserved_usd numeric(16, 6) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0),
                ADD COLUMN guest_usd numeric(16, 6) NOT NULL DEFAULT 0 CHECK (guest_usd >= 0),
                ADD COLUMN guest_reserved_usd numeric(16, 6) NOT NULL DEFAULT 0 CHECK (guest_reserved_usd >= 0),
                ADD COLUMN estimated_calls integer NOT NULL DEFAULT 0 CHECK (estimated_calls >= 0);

            CREATE TABLE ai_reservations (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                month date NOT NULL CHECK (extract(day FROM month) = 1),
                kind_counter_id uuid NOT NULL,
                total_counter_id uuid NOT NULL,
                counted boolean NOT NULL DEFAULT false,
                platform boolean NOT NULL,
                guest boolean NOT NULL,
                usd numeric(16, 6) NOT NULL DEFAULT 0 CHECK (usd >= 0),
                input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
                output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX ai_reservations_expiry ON ai_reservations (tenant_id, expires_at);
            ALTER TABLE ai_reservations ENABLE ROW LEVEL SECURITY;
            ALTER TABLE ai_reservations FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON ai_reservations
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP TABLE ai_reservations;
            ALTER TABLE ai_monthly_spend DROP COLUMN reserved_usd, DROP COLUMN guest_usd, DROP COLUMN guest_reserved_usd, DROP COLUMN estimated_calls;
            ALTER TABLE ai_usage_counters DROP COLUMN id;
            """);
}
