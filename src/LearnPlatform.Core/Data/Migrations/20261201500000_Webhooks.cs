using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// Webhooks: the endpoints a tenant's admins registered (URL, event types, the signing secret as ciphertext, the
/// failure streak and when it disabled the endpoint) and the attempts to deliver to them, kept for 30 days.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261201500000_Webhooks")]
public sealed class Webhooks : Migration
{
    private static readonly string[] TenantTables = ["webhook_endpoints", "webhook_deliveries"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE webhook_endpoints (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
                events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 3
                    AND events <@ ARRAY['session.submitted', 'session.graded', 'session.needs_review']),
                secret_ciphertext bytea NOT NULL CHECK (octet_length(secret_ciphertext) BETWEEN 29 AND 200),
                created_at timestamptz NOT NULL,
                failing_since timestamptz,
                disabled_at timestamptz
            );
            CREATE INDEX ix_webhook_endpoints_tenant ON webhook_endpoints (tenant_id) WHERE disabled_at IS NULL;

            CREATE TABLE webhook_deliveries (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                message_id text NOT NULL CHECK (char_length(message_id) BETWEEN 1 AND 100),
                event_type text NOT NULL CHECK (char_length(event_type) BETWEEN 1 AND 100),
                attempt int NOT NULL CHECK (attempt >= 1),
                attempted_at timestamptz NOT NULL,
                status_code int CHECK (status_code BETWEEN 100 AND 999),
                duration_ms int NOT NULL CHECK (duration_ms >= 0),
                succeeded boolean NOT NULL,
                error text CHECK (char_length(error) <= 1000)
            );
            CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, attempted_at);
            """);

        foreach (var table in TenantTables)
        {
            migrationBuilder.Sql($"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table}
                    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE webhook_deliveries, webhook_endpoints;");
}
