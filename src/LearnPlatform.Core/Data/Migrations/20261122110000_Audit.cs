using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// The audit trail's read and retention support: tenantless sign-in failures, indexes for the admin read API,
/// and a purge function that is the only way anything deletes audit rows (see docs/security.md, audit trail).
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122110000_Audit")]
public sealed class Audit : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- A sign-in failure may name no tenant we can trust; such rows have none, and no tenant's policy matches them.
            ALTER TABLE audit_events ALTER COLUMN tenant_id DROP NOT NULL;
            ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenantless_only_sign_in
                CHECK (tenant_id IS NOT NULL OR action = 'auth.sign_in_failed');
            CREATE POLICY tenantless_sign_in_failures ON audit_events FOR INSERT
                WITH CHECK (tenant_id IS NULL AND action = 'auth.sign_in_failed');

            -- The admin read API: newest first within a tenant, keyset on (occurred_at, id), optionally by actor or resource.
            DROP INDEX ix_audit_events_tenant_time;
            CREATE INDEX ix_audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC, id DESC);
            CREATE INDEX ix_audit_events_tenant_actor ON audit_events (tenant_id, actor, occurred_at DESC, id DESC);
            CREATE INDEX ix_audit_events_tenant_resource ON audit_events (tenant_id, resource, occurred_at DESC, id DESC);
            -- Retention works across tenants, oldest first.
            CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at);

            -- Row-level security is forced on the owner too: only through these (purge_audit_events runs as the owner)
            -- can it see and delete rows across tenants, and never a row younger than a day.
            DO $$
            BEGIN
                EXECUTE format(
                    'CREATE POLICY retention_read ON audit_events FOR SELECT TO %I USING (occurred_at < now() - interval ''1 day'')',
                    current_user);
                EXECUTE format(
                    'CREATE POLICY retention_purge ON audit_events FOR DELETE TO %I USING (occurred_at < now() - interval ''1 day'')',
                    current_user);
            END $$;

            CREATE FUNCTION purge_audit_events(cutoff timestamptz, batch_size integer) RETURNS integer
                LANGUAGE plpgsql
                SECURITY DEFINER
                SET search_path = pg_catalog, pg_temp
            AS $fn$
            DECLARE
                deleted integer;
            BEGIN
                IF cutoff IS NULL OR cutoff > now() - interval '1 day' THEN
                    RAISE EXCEPTION 'purge_audit_events: the cutoff must be at least one day in the past'
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
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
            -- Functions are executable by PUBLIC by default; migrate grants it to the application role alone.
            REVOKE ALL ON FUNCTION purge_audit_events(timestamptz, integer) FROM PUBLIC;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP FUNCTION purge_audit_events(timestamptz, integer);
            DROP POLICY retention_purge ON audit_events;
            DROP POLICY retention_read ON audit_events;
            DROP INDEX ix_audit_events_occurred_at, ix_audit_events_tenant_resource, ix_audit_events_tenant_actor, ix_audit_events_tenant_time;
            CREATE INDEX ix_audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC);
            DROP POLICY tenantless_sign_in_failures ON audit_events;
            ALTER TABLE audit_events DROP CONSTRAINT audit_events_tenantless_only_sign_in;
            DELETE FROM audit_events WHERE tenant_id IS NULL;
            ALTER TABLE audit_events ALTER COLUMN tenant_id SET NOT NULL;
            """);
    }
}
