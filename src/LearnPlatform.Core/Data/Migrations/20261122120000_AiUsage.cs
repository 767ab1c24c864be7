using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// AI safety caps and spend. Counters are bumped with one conditional upsert each, so parallel requests can never
/// take a counter past its cap; spend is what the platform key cost this month, estimated from token counts.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122120000_AiUsage")]
public sealed class AiUsage : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE ai_usage_counters (
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                scope text NOT NULL CHECK (char_length(scope) BETWEEN 1 AND 300),
                subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
                kind text NOT NULL CHECK (kind IN ('total', 'generations', 'hints', 'solutions', 'evaluations')),
                n integer NOT NULL CHECK (n >= 0),
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, scope, kind)
            );
            CREATE INDEX ai_usage_counters_subject ON ai_usage_counters (tenant_id, subject);
            ALTER TABLE ai_usage_counters ENABLE ROW LEVEL SECURITY;
            ALTER TABLE ai_usage_counters FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON ai_usage_counters
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

            CREATE TABLE ai_monthly_spend (
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                month date NOT NULL CHECK (extract(day FROM month) = 1),
                usd numeric(16, 6) NOT NULL CHECK (usd >= 0),
                calls integer NOT NULL CHECK (calls >= 0),
                input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
                output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, month)
            );
            ALTER TABLE ai_monthly_spend ENABLE ROW LEVEL SECURITY;
            ALTER TABLE ai_monthly_spend FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON ai_monthly_spend
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE ai_monthly_spend; DROP TABLE ai_usage_counters;");
}
