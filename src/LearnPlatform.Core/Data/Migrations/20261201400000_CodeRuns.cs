using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Code runs a candidate makes during a session are counted on the session row, so one conditional UPDATE checks the
/// session is open, checks the cap and counts the run.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201400000_CodeRuns")]
public sealed class CodeRuns : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE exam_sessions ADD COLUMN code_runs integer NOT NULL DEFAULT 0 CHECK (code_runs >= 0);");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE exam_sessions DROP COLUMN code_runs;");
}
