using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Live exam telemetry (docs/security.md, "Exam telemetry"): single-use socket tickets, the connection generation that
/// lets any replica take a session's socket over, the per-tenant retention, and the event store, a table partitioned by
/// the UTC day its session started. Partitions are kept by pg_partman when the extension is installed before this
/// migration runs, otherwise by <c>telemetry_maintain</c> in plain SQL; the engine's scheduled run calls it either way.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201100000_Telemetry")]
public sealed class Telemetry : Migration
{
    /// <summary>The event types a client may send; TelemetryFrames lists the same.</summary>
    private const string EventTypes =
        "'focus', 'blur', 'visibility_hidden', 'visibility_visible', 'paste', 'copy', 'fullscreen_exit', 'question_view', 'keystroke_stats', 'heartbeat'";

    private const string TenantPolicy = """
        USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        """;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- A tenant's telemetry retention in days; without a row, the service's default (Telemetry:RetentionDays).
            CREATE TABLE telemetry_settings (
                tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
                retention_days integer NOT NULL CHECK (retention_days BETWEEN 1 AND 365),
                updated_at timestamptz NOT NULL
            );

            -- What a browser presents when it opens the socket (it cannot set headers): the SHA-256 of a random ticket,
            -- deleted by the handshake that uses it.
            CREATE TABLE telemetry_tickets (
                ticket_hash bytea PRIMARY KEY CHECK (octet_length(ticket_hash) = 32),
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                session_id uuid NOT NULL REFERENCES exam_sessions (id) ON DELETE CASCADE,
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX ix_telemetry_tickets_expires_at ON telemetry_tickets (expires_at);

            -- One live socket per session: each new connection takes the next generation, and a socket whose generation
            -- is no longer the latest closes, on whichever replica it is.
            CREATE TABLE telemetry_connections (
                session_id uuid PRIMARY KEY REFERENCES exam_sessions (id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                generation bigint NOT NULL CHECK (generation >= 1),
                connected_at timestamptz NOT NULL
            );
            """);

        migrationBuilder.Sql($"""
            -- No foreign keys: a lookup per inserted row would cost the ingest more than the guarantee is worth here, since
            -- only the socket of a live session writes, with the session's own tenant and id.
            CREATE TABLE telemetry_events (
                tenant_id uuid NOT NULL,
                session_id uuid NOT NULL,
                session_day date NOT NULL,
                id bigint GENERATED ALWAYS AS IDENTITY,
                seq bigint CHECK (seq BETWEEN 0 AND 9007199254740991),
                idx smallint NOT NULL CHECK (idx BETWEEN 0 AND 49),
                type text NOT NULL CHECK (type IN ({EventTypes})),
                client_at timestamptz NOT NULL,
                received_at timestamptz NOT NULL,
                question_id text CHECK (char_length(question_id) BETWEEN 1 AND 200),
                data jsonb CHECK (data IS NULL OR jsonb_typeof(data) = 'object')
            ) PARTITION BY RANGE (session_day);
            -- A resent batch (same seq) is stored once; events sent without a seq are never deduplicated.
            CREATE UNIQUE INDEX ux_telemetry_events_seq ON telemetry_events (session_day, session_id, seq, idx);
            -- The timeline, in the order the server received the events.
            CREATE INDEX ix_telemetry_events_session ON telemetry_events (session_id, id);
            """);

        foreach (var table in new[] { "telemetry_settings", "telemetry_tickets", "telemetry_connections", "telemetry_events" })
        {
            migrationBuilder.Sql($"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table}
                {TenantPolicy};
                """);
        }

        migrationBuilder.Sql("""
            -- The handshake knows no tenant: presenting the ticket makes exactly its own row visible, to read and delete.
            CREATE POLICY ticket_redeem_read ON telemetry_tickets FOR SELECT
                USING (ticket_hash = decode(nullif(current_setting('app.telemetry_ticket_hash', true), ''), 'hex'));
            CREATE POLICY ticket_redeem ON telemetry_tickets FOR DELETE
                USING (ticket_hash = decode(nullif(current_setting('app.telemetry_ticket_hash', true), ''), 'hex'));

            -- Maintenance (telemetry_maintain, SECURITY DEFINER, so the owner) reads every tenant's retention, deletes
            -- expired tickets, and deletes events past a tenant's retention, but never events of sessions started today.
            DO $$
            BEGIN
                EXECUTE format('CREATE POLICY maintenance_read ON telemetry_settings FOR SELECT TO %I USING (true)', current_user);
                EXECUTE format('CREATE POLICY maintenance_read ON telemetry_tickets FOR SELECT TO %I USING (expires_at < now())', current_user);
                EXECUTE format('CREATE POLICY maintenance_purge ON telemetry_tickets FOR DELETE TO %I USING (expires_at < now())', current_user);
                EXECUTE format(
                    'CREATE POLICY retention_read ON telemetry_events FOR SELECT TO %I USING (session_day < (now() AT TIME ZONE ''UTC'')::date)',
                    current_user);
                EXECUTE format(
                    'CREATE POLICY retention_purge ON telemetry_events FOR DELETE TO %I USING (session_day < (now() AT TIME ZONE ''UTC'')::date)',
                    current_user);
            END $$;

            -- A session leaving in_progress (submit, deadline, erasure, any path) tells every replica to close its socket.
            CREATE FUNCTION telemetry_notify_session_closed() RETURNS trigger
            LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
            BEGIN
                PERFORM pg_notify('learnplatform_telemetry', 'closed:' || NEW.id::text);
                RETURN NULL;
            END
            $fn$;
            CREATE TRIGGER telemetry_session_closed AFTER UPDATE OF status ON exam_sessions
                FOR EACH ROW WHEN (OLD.status = 'in_progress' AND NEW.status IS DISTINCT FROM 'in_progress')
                EXECUTE FUNCTION telemetry_notify_session_closed();
            REVOKE ALL ON FUNCTION telemetry_notify_session_closed() FROM PUBLIC;
            """);

        migrationBuilder.Sql(MaintainFunction);

        // pg_partman, when an operator (a superuser) installed it before this migration: it keeps the partitions from now on.
        migrationBuilder.Sql("""
            DO $$
            DECLARE
                v_schema text;
                v_version text;
            BEGIN
                SELECT n.nspname, e.extversion INTO v_schema, v_version
                FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
                IF v_schema IS NULL THEN
                    RETURN;
                END IF;
                -- 4.x calls declarative partitioning 'native'; 5.x calls it 'range'.
                EXECUTE format('SELECT %I.create_parent(p_parent_table => %L, p_control => %L, p_type => %L, p_interval => %L, p_premake => 4, p_jobmon => false)',
                    v_schema, 'public.telemetry_events', 'session_day', CASE WHEN v_version LIKE '4.%' THEN 'native' ELSE 'range' END, '1 day');
                -- Premake even while no events arrive; drop (not detach) what is past retention.
                EXECUTE format('UPDATE %I.part_config SET infinite_time_partitions = true, retention_keep_table = false, retention = %L WHERE parent_table = %L',
                    v_schema, '30 days', 'public.telemetry_events');
            END $$;
            """);

        migrationBuilder.Sql("SELECT telemetry_maintain(4, 30);");
    }

    /// <summary>
    /// One maintenance pass, as the owner: partitions from yesterday to <c>p_premake_days</c> ahead, partitions past the
    /// longest retention of any tenant dropped, a shorter tenant retention applied by deleting that tenant's rows, and
    /// expired tickets removed. Returns what it did, for the engine's run and the logs.
    /// </summary>
    private const string MaintainFunction = """
        CREATE FUNCTION telemetry_maintain(p_premake_days integer, p_default_retention_days integer) RETURNS jsonb
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            v_result jsonb;
            v_today date := (now() AT TIME ZONE 'UTC')::date;
            v_keep integer;
            v_schema text;
            v_before text[];
            v_after text[];
            v_day date;
            v_offset integer;
            v_part record;
            v_deleted bigint := 0;
            v_count bigint;
            v_tickets bigint;
            v_tenant record;
        BEGIN
            IF p_premake_days IS NULL OR p_premake_days NOT BETWEEN 1 AND 30 THEN
                RAISE EXCEPTION 'telemetry_maintain: p_premake_days must be between 1 and 30' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_default_retention_days IS NULL OR p_default_retention_days NOT BETWEEN 1 AND 365 THEN
                RAISE EXCEPTION 'telemetry_maintain: p_default_retention_days must be between 1 and 365' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            -- One pass at a time across replicas; a second caller waits, then finds nothing left to do.
            PERFORM pg_advisory_xact_lock(5785563720318240000);

            v_keep := greatest(p_default_retention_days, coalesce((SELECT max(retention_days) FROM public.telemetry_settings), 0));
            SELECT array_agg(c.relname ORDER BY c.relname) INTO v_before
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.telemetry_events'::regclass;

            SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
            IF v_schema IS NOT NULL AND to_regclass(format('%I.part_config', v_schema)) IS NOT NULL THEN
                EXECUTE format('SELECT count(*) FROM %I.part_config WHERE parent_table = %L', v_schema, 'public.telemetry_events') INTO v_count;
            END IF;
            IF coalesce(v_count, 0) = 1 THEN
                EXECUTE format('UPDATE %I.part_config SET premake = %s, retention = %L WHERE parent_table = %L',
                    v_schema, p_premake_days, v_keep || ' days', 'public.telemetry_events');
                EXECUTE format('SELECT %I.run_maintenance(p_parent_table => %L, p_jobmon => false)', v_schema, 'public.telemetry_events');
            ELSE
                v_schema := NULL;
                FOR v_offset IN -1 .. p_premake_days LOOP
                    v_day := v_today + v_offset;
                    IF NOT EXISTS (
                        SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'public.telemetry_events'::regclass
                          AND substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([0-9-]+)''\)')::date = v_day) THEN
                        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.telemetry_events FOR VALUES FROM (%L) TO (%L)',
                            'telemetry_events_p' || to_char(v_day, 'YYYY_MM_DD'), v_day, v_day + 1);
                    END IF;
                END LOOP;
                FOR v_part IN
                    SELECT c.oid::regclass AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'public.telemetry_events'::regclass
                      AND substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([0-9-]+)''\)')::date <= v_today - v_keep LOOP
                    EXECUTE format('DROP TABLE %s', v_part.name);
                END LOOP;
            END IF;

            -- Tenants that keep events for less than the longest retention lose theirs row by row.
            FOR v_tenant IN SELECT tenant_id, retention_days FROM public.telemetry_settings WHERE retention_days < v_keep LOOP
                DELETE FROM public.telemetry_events WHERE tenant_id = v_tenant.tenant_id AND session_day < v_today - v_tenant.retention_days;
                GET DIAGNOSTICS v_count = ROW_COUNT;
                v_deleted := v_deleted + v_count;
            END LOOP;
            IF p_default_retention_days < v_keep THEN
                DELETE FROM public.telemetry_events e WHERE e.session_day < v_today - p_default_retention_days
                    AND NOT EXISTS (SELECT 1 FROM public.telemetry_settings s WHERE s.tenant_id = e.tenant_id);
                GET DIAGNOSTICS v_count = ROW_COUNT;
                v_deleted := v_deleted + v_count;
            END IF;

            DELETE FROM public.telemetry_tickets WHERE expires_at < now();
            GET DIAGNOSTICS v_tickets = ROW_COUNT;

            SELECT array_agg(c.relname ORDER BY c.relname) INTO v_after
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.telemetry_events'::regclass;
            v_result := jsonb_build_object(
                'partitions_by', CASE WHEN v_schema IS NULL THEN 'sql' ELSE 'pg_partman' END,
                'retention_days', v_keep,
                'created', (SELECT count(*) FROM unnest(coalesce(v_after, '{}')) a WHERE a <> ALL (coalesce(v_before, '{}'))),
                'dropped', (SELECT count(*) FROM unnest(coalesce(v_before, '{}')) b WHERE b <> ALL (coalesce(v_after, '{}'))),
                'rows_deleted', v_deleted,
                'tickets_deleted', v_tickets);
            IF v_schema IS NOT NULL THEN
                -- pg_partman puts back, for the whole session, the search_path it found (this function's own), which
                -- would outlive the function; the session's own is put back instead, as the very last thing.
                PERFORM set_config('search_path', (SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'search_path'), false);
            END IF;
            RETURN v_result;
        END
        $fn$;
        REVOKE ALL ON FUNCTION telemetry_maintain(integer, integer) FROM PUBLIC;
        """;

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DO $$
            DECLARE
                v_schema text;
            BEGIN
                SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
                IF v_schema IS NOT NULL THEN
                    EXECUTE format('DELETE FROM %I.part_config WHERE parent_table = %L', v_schema, 'public.telemetry_events');
                    EXECUTE format('DROP TABLE IF EXISTS %I.template_public_telemetry_events', v_schema);
                END IF;
            END $$;
            DROP FUNCTION telemetry_maintain(integer, integer);
            DROP TRIGGER telemetry_session_closed ON exam_sessions;
            DROP FUNCTION telemetry_notify_session_closed();
            DROP TABLE telemetry_events, telemetry_connections, telemetry_tickets, telemetry_settings;
            """);
}
