using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122050000_Foundation")]
public sealed class Foundation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE tenants (
                id uuid PRIMARY KEY,
                name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
                firebase_tenant_id text UNIQUE CHECK (char_length(firebase_tenant_id) BETWEEN 1 AND 128),
                created_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE memberships (
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                uid text NOT NULL CHECK (char_length(uid) BETWEEN 1 AND 128),
                role text NOT NULL CHECK (role IN ('candidate', 'author', 'admin')),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, uid)
            );

            CREATE TABLE guest_tokens (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                session_id uuid NOT NULL,
                token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
                expires_at timestamptz NOT NULL,
                revoked_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX ix_guest_tokens_tenant_session ON guest_tokens (tenant_id, session_id);

            ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
            ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON tenants
                USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            -- Identity Platform tenants arrive as a name in the token; this lets that one name be resolved.
            CREATE POLICY firebase_tenant_lookup ON tenants FOR SELECT
                USING (firebase_tenant_id = nullif(current_setting('app.firebase_tenant', true), ''));

            ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
            ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON memberships
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

            ALTER TABLE guest_tokens ENABLE ROW LEVEL SECURITY;
            ALTER TABLE guest_tokens FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON guest_tokens
                USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
            -- A guest proves possession of the token; its hash makes exactly that one row visible.
            CREATE POLICY guest_token_lookup ON guest_tokens FOR SELECT
                USING (token_hash = decode(nullif(current_setting('app.guest_token_hash', true), ''), 'hex'));
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE guest_tokens; DROP TABLE memberships; DROP TABLE tenants;");
    }
}
