using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>No route ever made "solution" AI calls, so their counter kind goes (no row can hold it).</summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201100000_NoSolutionsCap")]
public sealed class NoSolutionsCap : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE ai_usage_counters DROP CONSTRAINT ai_usage_counters_kind_check;
            ALTER TABLE ai_usage_counters ADD CONSTRAINT ai_usage_counters_kind_check
                CHECK (kind IN ('total', 'generations', 'hints', 'evaluations'));
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE ai_usage_counters DROP CONSTRAINT ai_usage_counters_kind_check;
            ALTER TABLE ai_usage_counters ADD CONSTRAINT ai_usage_counters_kind_check
                CHECK (kind IN ('total', 'generations', 'hints', 'solutions', 'evaluations'));
            """);
}
