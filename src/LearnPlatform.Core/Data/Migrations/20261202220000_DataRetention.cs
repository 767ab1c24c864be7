using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Retention for everything (docs/operations.md, "Data retention"): a tenant's own session retention, and the two
/// functions the engine's scheduled data-retention run calls, as the owner, to delete sessions and counters past
/// their time in bounded batches. The owner's policies below reach only rows past the shortest retention allowed.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261202220000_DataRetention")]
public sealed class DataRetention : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- A tenant's session retention in days after grading; without a row, the service's Retention:SessionDays.
            CREATE TABLE retention_settings (
                tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
                session_days integer NOT NULL CHECK (session_days BETWEEN 30 AND 3650),
                updated_at timestamptz NOT NULL
            );
            ALTER TABLE retention_settings ENABLE ROW LEVEL SECURITY;
            ALTER TABLE retention_settings FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON retention_settings
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

            -- Due sessions across tenants, oldest first: graded candidates' and guests'.
            CREATE INDEX ix_exam_sessions_graded_at ON exam_sessions (graded_at) WHERE status = 'graded';
            CREATE INDEX ix_exam_sessions_guest_started_at ON exam_sessions (started_at) WHERE candidate_uid IS NULL;

            -- Row-level security is forced on the owner too. These let the retention functions (SECURITY DEFINER, so the
            -- owner) see and delete what no retention setting can keep any longer, and nothing younger.
            DO $$
            BEGIN
                EXECUTE format('CREATE POLICY retention_read ON retention_settings FOR SELECT TO %I USING (true)', current_user);
                EXECUTE format('CREATE POLICY retention_read ON exam_sessions FOR SELECT TO %I USING (%s)', current_user, $p$
                    (status = 'graded' AND graded_at < now() - interval '30 days') OR (candidate_uid IS NULL AND started_at < now() - interval '1 day')$p$);
                EXECUTE format('CREATE POLICY retention_purge ON exam_sessions FOR DELETE TO %I USING (%s)', current_user, $p$
                    (status = 'graded' AND graded_at < now() - interval '30 days') OR (candidate_uid IS NULL AND started_at < now() - interval '1 day')$p$);
                EXECUTE format('CREATE POLICY retention_read ON ai_usage_counters FOR SELECT TO %I USING (updated_at < now() - interval ''1 day'')', current_user);
                EXECUTE format('CREATE POLICY retention_purge ON ai_usage_counters FOR DELETE TO %I USING (updated_at < now() - interval ''1 day'')', current_user);
                EXECUTE format('CREATE POLICY retention_read ON ai_reservations FOR SELECT TO %I USING (true)', current_user);
                EXECUTE format(
                    'CREATE POLICY retention_read ON ai_monthly_spend FOR SELECT TO %I USING (month < date_trunc(''month'', now() AT TIME ZONE ''UTC'') - interval ''1 month'')',
                    current_user);
                EXECUTE format(
                    'CREATE POLICY retention_purge ON ai_monthly_spend FOR DELETE TO %I USING (month < date_trunc(''month'', now() AT TIME ZONE ''UTC'') - interval ''1 month'')',
                    current_user);
            END $$;
            """);
        migrationBuilder.Sql(PurgeSessions);
        migrationBuilder.Sql(PurgeCounters);
    }

    /// <summary>
    /// One batch of sessions past retention, deleted with everything that hangs on them (answers, grades, metrics, guest
    /// tokens, telemetry, LTI links by cascade; their telemetry events and AI counters here): graded candidates'
    /// sessions <c>p_default_days</c> (or the tenant's own) after their last grading, guests' <c>p_guest_days</c> after
    /// they started. Returns what it deleted, so that the caller can keep the candidates' attempts in the ledger, in the
    /// same transaction.
    /// </summary>
    private const string PurgeSessions = """
        CREATE FUNCTION retention_purge_sessions(p_default_days integer, p_guest_days integer, p_batch_size integer)
        RETURNS TABLE (tenant_id uuid, candidate_uid text, paper_id uuid, attempt integer)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        #variable_conflict use_column
        DECLARE
            v_shortest integer;
        BEGIN
            IF p_default_days IS NULL OR p_default_days NOT BETWEEN 30 AND 3650 THEN
                RAISE EXCEPTION 'retention_purge_sessions: p_default_days must be between 30 and 3650' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_guest_days IS NULL OR p_guest_days NOT BETWEEN 1 AND 365 THEN
                RAISE EXCEPTION 'retention_purge_sessions: p_guest_days must be between 1 and 365' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_batch_size IS NULL OR p_batch_size NOT BETWEEN 1 AND 10000 THEN
                RAISE EXCEPTION 'retention_purge_sessions: p_batch_size must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            v_shortest := least(p_default_days, coalesce((SELECT min(r.session_days) FROM public.retention_settings r), p_default_days));
            RETURN QUERY
            WITH due AS (
                (SELECT s.id FROM public.exam_sessions s
                 LEFT JOIN public.retention_settings r ON r.tenant_id = s.tenant_id
                 WHERE s.status = 'graded'
                   AND s.graded_at < now() - make_interval(days => v_shortest)
                   AND s.graded_at < now() - make_interval(days => coalesce(r.session_days, p_default_days))
                 ORDER BY s.graded_at
                 LIMIT p_batch_size)
                UNION
                (SELECT s.id FROM public.exam_sessions s
                 WHERE s.candidate_uid IS NULL AND s.started_at < now() - make_interval(days => p_guest_days)
                 ORDER BY s.started_at
                 LIMIT p_batch_size)
            ), deleted AS (
                DELETE FROM public.exam_sessions s USING due WHERE s.id = due.id
                RETURNING s.id, s.tenant_id, s.candidate_uid, s.paper_id, s.attempt
            ), events AS (
                DELETE FROM public.telemetry_events e USING deleted d WHERE e.session_id = d.id
            ), counters AS (
                DELETE FROM public.ai_usage_counters c USING deleted d
                WHERE c.tenant_id = d.tenant_id AND c.scope = 'session:' || d.id::text
                  AND NOT EXISTS (SELECT 1 FROM public.ai_reservations a WHERE a.kind_counter_id = c.id OR a.total_counter_id = c.id)
            )
            SELECT d.tenant_id, d.candidate_uid, d.paper_id, d.attempt FROM deleted d;
        END
        $fn$;
        REVOKE ALL ON FUNCTION retention_purge_sessions(integer, integer, integer) FROM PUBLIC;
        """;

    /// <summary>
    /// One batch of counters whose window has ended: authors' daily AI counters after their UTC day, rate-limit
    /// counters after their window, and a month's AI spend once the month after it has ended too. Returns the counts.
    /// </summary>
    private const string PurgeCounters = """
        CREATE FUNCTION retention_purge_counters(p_batch_size integer) RETURNS jsonb
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            v_today date := (now() AT TIME ZONE 'UTC')::date;
            v_ai bigint;
            v_rate bigint;
            v_spend bigint;
        BEGIN
            IF p_batch_size IS NULL OR p_batch_size NOT BETWEEN 1 AND 10000 THEN
                RAISE EXCEPTION 'retention_purge_counters: p_batch_size must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            DELETE FROM public.ai_usage_counters c
            WHERE c.ctid IN (
                SELECT x.ctid FROM public.ai_usage_counters x
                -- The day is read only from an author scope ('author:<yyyy-MM-dd>:<uid>'); session scopes go with their session.
                WHERE CASE WHEN x.scope ~ '^author:[0-9]{4}-[0-9]{2}-[0-9]{2}:' THEN substring(x.scope FROM 8 FOR 10)::date < v_today ELSE false END
                  AND NOT EXISTS (SELECT 1 FROM public.ai_reservations a WHERE a.kind_counter_id = x.id OR a.total_counter_id = x.id)
                LIMIT p_batch_size);
            GET DIAGNOSTICS v_ai = ROW_COUNT;
            DELETE FROM public.rate_limit_counters WHERE key IN (
                SELECT key FROM public.rate_limit_counters WHERE expires_at < now() ORDER BY expires_at LIMIT p_batch_size);
            GET DIAGNOSTICS v_rate = ROW_COUNT;
            DELETE FROM public.ai_monthly_spend s
            WHERE s.ctid IN (
                SELECT x.ctid FROM public.ai_monthly_spend x
                WHERE x.month < date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month'
                LIMIT p_batch_size);
            GET DIAGNOSTICS v_spend = ROW_COUNT;
            RETURN jsonb_build_object('ai_usage_counters', v_ai, 'rate_limit_counters', v_rate, 'ai_monthly_spend', v_spend);
        END
        $fn$;
        REVOKE ALL ON FUNCTION retention_purge_counters(integer) FROM PUBLIC;
        """;

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP FUNCTION retention_purge_counters(integer);
            DROP FUNCTION retention_purge_sessions(integer, integer, integer);
            DROP POLICY retention_purge ON ai_monthly_spend;
            DROP POLICY retention_read ON ai_monthly_spend;
            DROP POLICY retention_read ON ai_reservations;
            DROP POLICY retention_purge ON ai_usage_counters;
            DROP POLICY retention_read ON ai_usage_counters;
            DROP POLICY retention_purge ON exam_sessions;
            DROP POLICY retention_read ON exam_sessions;
            DROP INDEX ix_exam_sessions_guest_started_at, ix_exam_sessions_graded_at;
            DROP TABLE retention_settings;
            """);
}
