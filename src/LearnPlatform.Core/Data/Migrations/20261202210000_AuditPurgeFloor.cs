using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// The audit purge's floor (docs/security.md, audit trail, "Retention"): purge_audit_events refuses any cutoff younger
/// than <c>audit_retention_floor.min_days</c> (90), a row only the owner can change, instead of one day.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261202210000_AuditPurgeFloor")]
public sealed class AuditPurgeFloor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- One row. The application role may read it (the purge job keeps its cutoff within it) and nothing more.
            CREATE TABLE audit_retention_floor (
                id boolean PRIMARY KEY DEFAULT true CHECK (id),
                min_days integer NOT NULL CHECK (min_days BETWEEN 1 AND 3650),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO audit_retention_floor (min_days) VALUES (90);
            """);
        migrationBuilder.Sql(PurgeFunction("""
            v_floor := coalesce((SELECT min_days FROM public.audit_retention_floor), 90);
            IF cutoff IS NULL OR cutoff > now() - make_interval(days => v_floor) THEN
                RAISE EXCEPTION 'purge_audit_events: the cutoff must be at least % days in the past (audit_retention_floor)', v_floor
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            """));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(PurgeFunction("""
            v_floor := 1;
            IF cutoff IS NULL OR cutoff > now() - interval '1 day' THEN
                RAISE EXCEPTION 'purge_audit_events: the cutoff must be at least one day in the past'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            """));
        migrationBuilder.Sql("DROP TABLE audit_retention_floor;");
    }

    /// <summary>The purge with its cutoff check; CREATE OR REPLACE keeps its owner, SECURITY DEFINER and grants.</summary>
    private static string PurgeFunction(string cutoffCheck) => $$"""
        CREATE OR REPLACE FUNCTION purge_audit_events(cutoff timestamptz, batch_size integer) RETURNS integer
            LANGUAGE plpgsql
            SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp
        AS $fn$
        DECLARE
            deleted integer;
            v_floor integer;
        BEGIN
            {{cutoffCheck}}
            IF batch_size IS NULL OR batch_size NOT BETWEEN 1 AND 10000 THEN
                RAISE EXCEPTION 'purge_audit_events: batch_size must be between 1 and 10000'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            DELETE FROM public.audit_events
            WHERE id IN (
                SELECT id FROM public.audit_events
                WHERE occurred_at < cutoff
                ORDER BY occurred_at
                LIMIT batch_size);
            GET DIAGNOSTICS deleted = ROW_COUNT;
            RETURN deleted;
        END
        $fn$;
        """;
}
