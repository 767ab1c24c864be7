using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LearnPlatform.Core.Data.Migrations;

/// <summary>
/// LTI 1.3: the platforms (LMSs) a tenant registered and their deployments, the LTI users mapped to candidate uids,
/// launches (the one-time code the frontend exchanges, the nonce that makes an id_token single-use, deep-linking
/// context), and the sessions an LTI launch started, with the line item their grade is posted to.
/// </summary>
[DbContext(typeof(LearnPlatformDbContext))]
[Migration("20261122140000_Lti")]
public sealed class Lti : Migration
{
    private static readonly string[] TenantTables = ["lti_platforms", "lti_deployments", "lti_users", "lti_launches", "lti_session_links"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE lti_platforms (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                issuer text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 500),
                client_id text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 255),
                auth_login_url text NOT NULL CHECK (char_length(auth_login_url) BETWEEN 1 AND 2000),
                token_url text NOT NULL CHECK (char_length(token_url) BETWEEN 1 AND 2000),
                jwks_url text NOT NULL CHECK (char_length(jwks_url) BETWEEN 1 AND 2000),
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                UNIQUE (tenant_id, issuer, client_id)
            );
            CREATE INDEX ix_lti_platforms_issuer ON lti_platforms (issuer, client_id);

            -- One LMS key (issuer, client_id) may be deployed in several schools; the deployment names the tenant, so
            -- it is unique across tenants (issuer and client_id are copied from the platform for that constraint).
            CREATE TABLE lti_deployments (
                issuer text NOT NULL,
                client_id text NOT NULL,
                deployment_id text NOT NULL CHECK (char_length(deployment_id) BETWEEN 1 AND 255),
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                platform_id uuid NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
                PRIMARY KEY (issuer, client_id, deployment_id)
            );
            CREATE INDEX ix_lti_deployments_platform ON lti_deployments (platform_id);

            -- The LTI user ('sub' under the platform) and the candidate uid it acts as here.
            CREATE TABLE lti_users (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                platform_id uuid NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
                subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
                uid text NOT NULL CHECK (char_length(uid) BETWEEN 1 AND 128),
                created_at timestamptz NOT NULL,
                UNIQUE (platform_id, subject),
                UNIQUE (tenant_id, uid)
            );

            -- A verified launch. Its nonce is unique, so an id_token is accepted once. secret_hash is the SHA-256 of the
            -- one-time code the frontend exchanges (secret_kind 'code'), then of the deep-linking token ('deep_linking').
            CREATE TABLE lti_launches (
                id uuid PRIMARY KEY,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                platform_id uuid NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
                uid text NOT NULL CHECK (char_length(uid) BETWEEN 1 AND 128),
                role text NOT NULL CHECK (role IN ('candidate', 'author')),
                message_type text NOT NULL CHECK (message_type IN ('LtiResourceLinkRequest', 'LtiDeepLinkingRequest')),
                nonce text NOT NULL UNIQUE CHECK (char_length(nonce) BETWEEN 1 AND 255),
                deployment_id text NOT NULL,
                paper_id uuid,
                resource_link_id text CHECK (char_length(resource_link_id) <= 255),
                lineitem_url text CHECK (char_length(lineitem_url) <= 2000),
                return_url text CHECK (char_length(return_url) <= 2000),
                deep_linking_data text CHECK (char_length(deep_linking_data) <= 4096),
                secret_hash bytea UNIQUE CHECK (octet_length(secret_hash) = 32),
                secret_kind text CHECK (secret_kind IN ('code', 'deep_linking')),
                secret_expires_at timestamptz,
                created_at timestamptz NOT NULL,
                CHECK ((secret_hash IS NULL) = (secret_kind IS NULL) AND (secret_hash IS NULL) = (secret_expires_at IS NULL)),
                CHECK ((message_type = 'LtiResourceLinkRequest') = (paper_id IS NOT NULL)),
                CHECK ((message_type = 'LtiDeepLinkingRequest') = (return_url IS NOT NULL))
            );
            CREATE INDEX ix_lti_launches_tenant_created ON lti_launches (tenant_id, created_at);
            CREATE INDEX ix_lti_launches_uid ON lti_launches (tenant_id, uid);

            -- A session an LTI launch started; its grade goes to the line item when there is one.
            CREATE TABLE lti_session_links (
                session_id uuid PRIMARY KEY REFERENCES exam_sessions (id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                platform_id uuid NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
                lti_user_id uuid NOT NULL REFERENCES lti_users (id) ON DELETE CASCADE,
                resource_link_id text NOT NULL CHECK (char_length(resource_link_id) BETWEEN 1 AND 255),
                lineitem_url text CHECK (char_length(lineitem_url) <= 2000),
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX ix_lti_session_links_user ON lti_session_links (lti_user_id);
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

        migrationBuilder.Sql("""
            -- An OIDC login names only the platform's issuer: it makes that issuer's registrations visible, to find the tenant.
            CREATE POLICY lti_issuer_lookup ON lti_platforms FOR SELECT
                USING (issuer = nullif(current_setting('app.lti_issuer', true), ''));
            CREATE POLICY lti_issuer_lookup ON lti_deployments FOR SELECT
                USING (issuer = nullif(current_setting('app.lti_issuer', true), ''));
            -- The frontend proves possession of a launch's code or deep-linking token; its hash makes that one row visible.
            CREATE POLICY lti_secret_lookup ON lti_launches FOR SELECT
                USING (secret_hash = decode(nullif(current_setting('app.lti_secret_hash', true), ''), 'hex'));
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE lti_session_links, lti_launches, lti_users, lti_deployments, lti_platforms;");
}
