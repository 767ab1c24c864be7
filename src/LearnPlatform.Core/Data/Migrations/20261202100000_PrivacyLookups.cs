using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Export and erasure find a user's rows through indexes, and erasure rewrites only the user's own audit fields: the
/// actor, a resource naming the user, and the route uid of an access.denied row (details.ids.uid or
/// details.ids.candidateUid). No other string in details changes, whatever it equals. Under row-level security an
/// index serves only leakproof operators (text =, not jsonb's ->>), so that route uid is stored on the row, as a
/// generated column, rather than indexed as an expression.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261202100000_PrivacyLookups")]
public sealed class PrivacyLookups : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            -- The uid an access.denied row's route named (only UUID-shaped route values are recorded there).
            ALTER TABLE audit_events ADD COLUMN route_uid text GENERATED ALWAYS AS (
                CASE WHEN action = 'access.denied' THEN coalesce(details -> 'ids' ->> 'uid', details -> 'ids' ->> 'candidateUid') END) STORED;
            CREATE INDEX ix_audit_events_route_uid ON audit_events (tenant_id, route_uid) WHERE route_uid IS NOT NULL;
            -- Where a user acted as staff.
            CREATE INDEX ix_question_grades_overridden_by ON question_grades (tenant_id, overridden_by) WHERE overridden_by IS NOT NULL;
            CREATE INDEX ix_accommodations_updated_by ON accommodations (tenant_id, updated_by);
            CREATE INDEX ix_papers_created_by ON papers (tenant_id, created_by);
            CREATE INDEX ix_paper_versions_published_by ON paper_versions (tenant_id, published_by);

            CREATE OR REPLACE FUNCTION privacy_pseudonymize_audit_events(p_uid text, p_pseudonym text) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
                v_count integer;
                v_resources text[];
            BEGIN
                IF v_tenant IS NULL THEN
                    RAISE EXCEPTION 'no tenant is set on this connection';
                END IF;
                IF p_uid IS NULL OR char_length(p_uid) NOT BETWEEN 1 AND 128 THEN
                    RAISE EXCEPTION 'uid must be 1 to 128 characters';
                END IF;
                IF p_pseudonym IS NULL OR p_pseudonym !~ '^erased:[0-9a-f]{32}$' THEN
                    RAISE EXCEPTION 'pseudonym must be erased:<32 hex digits>';
                END IF;
                v_resources := ARRAY['candidate/' || p_uid, 'user/' || p_uid, 'member/' || p_uid];
                UPDATE public.audit_events SET
                    actor = CASE WHEN actor = p_uid THEN p_pseudonym ELSE actor END,
                    client_ip = CASE WHEN actor = p_uid THEN NULL ELSE client_ip END,
                    resource = CASE WHEN resource = ANY (v_resources) THEN split_part(resource, '/', 1) || '/' || p_pseudonym ELSE resource END,
                    details = CASE
                        WHEN action <> 'access.denied' THEN details
                        WHEN details -> 'ids' ->> 'uid' = p_uid THEN jsonb_set(details, ARRAY['ids', 'uid'], to_jsonb(p_pseudonym))
                        WHEN details -> 'ids' ->> 'candidateUid' = p_uid THEN jsonb_set(details, ARRAY['ids', 'candidateUid'], to_jsonb(p_pseudonym))
                        ELSE details END
                WHERE tenant_id = v_tenant
                  AND (actor = p_uid OR resource = ANY (v_resources) OR route_uid = p_uid);
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION privacy_pseudonymize_audit_events(p_uid text, p_pseudonym text) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
                v_count integer;
                v_resources text[];
            BEGIN
                IF v_tenant IS NULL THEN
                    RAISE EXCEPTION 'no tenant is set on this connection';
                END IF;
                IF p_uid IS NULL OR char_length(p_uid) NOT BETWEEN 1 AND 128 THEN
                    RAISE EXCEPTION 'uid must be 1 to 128 characters';
                END IF;
                IF p_pseudonym IS NULL OR p_pseudonym !~ '^erased:[0-9a-f]{32}$' THEN
                    RAISE EXCEPTION 'pseudonym must be erased:<32 hex digits>';
                END IF;
                v_resources := ARRAY['candidate/' || p_uid, 'user/' || p_uid, 'member/' || p_uid];
                UPDATE public.audit_events SET
                    actor = CASE WHEN actor = p_uid THEN p_pseudonym ELSE actor END,
                    client_ip = CASE WHEN actor = p_uid THEN NULL ELSE client_ip END,
                    resource = CASE WHEN resource = ANY (v_resources) THEN split_part(resource, '/', 1) || '/' || p_pseudonym ELSE resource END,
                    details = CASE WHEN jsonb_path_exists(details, '$.** ? (@ == $u)', jsonb_build_object('u', p_uid))
                        THEN replace(details::text, to_jsonb(p_uid)::text, to_jsonb(p_pseudonym)::text)::jsonb ELSE details END
                WHERE tenant_id = v_tenant
                  AND (actor = p_uid OR resource = ANY (v_resources)
                       OR jsonb_path_exists(details, '$.** ? (@ == $u)', jsonb_build_object('u', p_uid)));
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;
            DROP INDEX ix_paper_versions_published_by, ix_papers_created_by, ix_accommodations_updated_by,
                ix_question_grades_overridden_by;
            ALTER TABLE audit_events DROP COLUMN route_uid;
            """);
}
