using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Rate-limit counters shared by every API replica (src/LearnPlatform.Api/Http/RateLimitCounters.cs).
/// No tenant column and no row-level security: a key is the SHA-256 of policy, window and partition (tenant and
/// uid, guest session, or client address), so a row names no tenant or person, and tenants' keys cannot collide.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122100000_RateLimits")]
public sealed class RateLimits : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE TABLE rate_limit_counters (
                key bytea PRIMARY KEY CHECK (octet_length(key) = 32),
                window_start timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                count bigint NOT NULL CHECK (count >= 1),
                CHECK (expires_at > window_start)
            );
            -- One row per key, reused window after window; the sweep deletes keys idle past their window.
            CREATE INDEX ix_rate_limit_counters_expires_at ON rate_limit_counters (expires_at);
            -- Mostly updated in place: leave room on each page so the count's updates stay HOT.
            ALTER TABLE rate_limit_counters SET (fillfactor = 70);
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE rate_limit_counters;");
}
