using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>Spoken answers' transcriptions are counted per session like hints and evaluations.</summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261202300000_TranscriptionCounter")]
public sealed class TranscriptionCounter : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE ai_usage_counters DROP CONSTRAINT ai_usage_counters_kind_check;
            ALTER TABLE ai_usage_counters ADD CONSTRAINT ai_usage_counters_kind_check
                CHECK (kind IN ('total', 'generations', 'hints', 'evaluations', 'transcriptions'));
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DELETE FROM ai_usage_counters WHERE kind = 'transcriptions';
            ALTER TABLE ai_usage_counters DROP CONSTRAINT ai_usage_counters_kind_check;
            ALTER TABLE ai_usage_counters ADD CONSTRAINT ai_usage_counters_kind_check
                CHECK (kind IN ('total', 'generations', 'hints', 'evaluations'));
            """);
}
