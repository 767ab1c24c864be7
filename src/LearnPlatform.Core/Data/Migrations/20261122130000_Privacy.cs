using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Consent flags, derived session metrics, and the SECURITY DEFINER functions that let an erasure rewrite the
/// rows the application role may not change (audit_events, paper_versions, workflow_steps, session_responses). Each function acts
/// only on the connection's own tenant (app.tenant_id, never a parameter) and on exact matches of what it is given.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122130000_Privacy")]
public sealed class Privacy : Migration
{
    private const string TenantGuard = """
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
        v_count integer;
        """;

    private const string ArgumentChecks = """
        IF v_tenant IS NULL THEN
            RAISE EXCEPTION 'no tenant is set on this connection';
        END IF;
        IF p_uid IS NULL OR char_length(p_uid) NOT BETWEEN 1 AND 128 THEN
            RAISE EXCEPTION 'uid must be 1 to 128 characters';
        END IF;
        IF p_pseudonym IS NULL OR p_pseudonym !~ '^erased:[0-9a-f]{32}$' THEN
            RAISE EXCEPTION 'pseudonym must be erased:<32 hex digits>';
        END IF;
        """;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE consents (
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                uid text NOT NULL CHECK (char_length(uid) BETWEEN 1 AND 128),
                flag text NOT NULL CHECK (flag IN ('biometric_metrics')),
                granted boolean NOT NULL,
                changed_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, uid, flag)
            );

            -- Derived numbers only (never media), kept beside the session they describe; the latest report wins.
            CREATE TABLE session_metrics (
                session_id uuid PRIMARY KEY REFERENCES exam_sessions (id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                focus_score double precision CHECK (focus_score BETWEEN 0 AND 1),
                tab_switches integer CHECK (tab_switches BETWEEN 0 AND 100000),
                reported_at timestamptz NOT NULL
            );
            """);

        foreach (var table in new[] { "consents", "session_metrics" })
        {
            migrationBuilder.Sql($"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table}
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
                """);
        }

        // The audit trail is append-only for the application role. Erasure may only swap the erased uid for its
        // pseudonym where it is the actor (dropping that row's client IP), the subject of a resource named
        // '<kind>/<uid>', or a whole string value in details; nothing else about a row changes.
        migrationBuilder.Sql($$"""
            CREATE FUNCTION privacy_pseudonymize_audit_events(p_uid text, p_pseudonym text) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                {{TenantGuard}}
                v_resources text[];
            BEGIN
                {{ArgumentChecks}}
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

            -- The application role never deletes answers; erasure deletes those of the user's own sessions, and only those.
            CREATE FUNCTION privacy_delete_answers(p_uid text) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
                v_count integer;
            BEGIN
                IF v_tenant IS NULL THEN
                    RAISE EXCEPTION 'no tenant is set on this connection';
                END IF;
                IF p_uid IS NULL OR char_length(p_uid) NOT BETWEEN 1 AND 128 THEN
                    RAISE EXCEPTION 'uid must be 1 to 128 characters';
                END IF;
                DELETE FROM public.session_responses r USING public.exam_sessions s
                WHERE r.session_id = s.id AND s.tenant_id = v_tenant AND r.tenant_id = v_tenant AND s.candidate_uid = p_uid;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;

            -- Published versions never change, except that an erased author's uid becomes its pseudonym.
            CREATE FUNCTION privacy_pseudonymize_paper_versions(p_uid text, p_pseudonym text) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                {{TenantGuard}}
            BEGIN
                {{ArgumentChecks}}
                UPDATE public.paper_versions SET published_by = p_pseudonym
                WHERE tenant_id = v_tenant AND published_by = p_uid;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;

            -- Checkpoints are write-once for the engine. Erasure blanks those of finished runs only, so a run the
            -- engine still replays is never changed under it (the erasure cancels such runs first).
            CREATE FUNCTION privacy_erase_workflow_steps(p_run_ids uuid[]) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            DECLARE
                v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
                v_count integer;
            BEGIN
                IF v_tenant IS NULL THEN
                    RAISE EXCEPTION 'no tenant is set on this connection';
                END IF;
                UPDATE public.workflow_steps st SET result = '{"erased": true}'::jsonb
                FROM public.workflow_runs r
                WHERE st.run_id = r.id AND r.id = ANY (p_run_ids)
                  AND r.tenant_id = v_tenant AND st.tenant_id = v_tenant
                  AND r.status IN ('completed', 'failed', 'cancelled')
                  AND st.result <> '{"erased": true}'::jsonb;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                RETURN v_count;
            END
            $fn$;

            -- Functions are executable by PUBLIC by default; `migrate` grants EXECUTE to the application role only.
            REVOKE ALL ON FUNCTION privacy_pseudonymize_audit_events(text, text) FROM PUBLIC;
            REVOKE ALL ON FUNCTION privacy_pseudonymize_paper_versions(text, text) FROM PUBLIC;
            REVOKE ALL ON FUNCTION privacy_erase_workflow_steps(uuid[]) FROM PUBLIC;
            REVOKE ALL ON FUNCTION privacy_delete_answers(text) FROM PUBLIC;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP FUNCTION privacy_delete_answers(text);
            DROP FUNCTION privacy_erase_workflow_steps(uuid[]);
            DROP FUNCTION privacy_pseudonymize_paper_versions(text, text);
            DROP FUNCTION privacy_pseudonymize_audit_events(text, text);
            DROP TABLE session_metrics, consents;
            """);
}
