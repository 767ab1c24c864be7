using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>The SECURITY DEFINER functions erasure uses stay narrow: no PUBLIC execute, fixed search_path, own tenant only.</summary>
public sealed class PrivacyFunctionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<NpgsqlConnection> AppConnectionAsync(Guid? tenant)
    {
        var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await TenantConnection.SetTenantAsync(connection, tenant, CancellationToken.None);
        return connection;
    }

    private async Task SeedAuditAsync(Guid tenant, string actor) =>
        await App.ExecuteAsync(
            "INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome, client_ip) VALUES (gen_random_uuid(), @t, now(), @a, 'session.start', 'session/x', 'success', '203.0.113.9')",
            ("t", tenant), ("a", actor));

    [Fact]
    public async Task TheAppRoleCannotUpdateTheAuditTrailItself()
    {
        var tenant = await App.CreateTenantAsync();
        await SeedAuditAsync(tenant, "someone");
        await using var connection = await AppConnectionAsync(tenant);

        await using var update = new NpgsqlCommand("UPDATE audit_events SET actor = 'x'", connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task AuditPseudonymizationRewritesOnlyTheCallersTenantAndOnlyThatUid()
    {
        var mine = await App.CreateTenantAsync();
        var theirs = await App.CreateTenantAsync();
        await SeedAuditAsync(mine, "alice");
        await SeedAuditAsync(mine, "alice2");
        await SeedAuditAsync(theirs, "alice");
        await using var connection = await AppConnectionAsync(mine);

        await using var call = new NpgsqlCommand("SELECT privacy_pseudonymize_audit_events('alice', 'erased:0123456789abcdef0123456789abcdef')", connection);
        Assert.Equal(1, (int)(await call.ExecuteScalarAsync())!);

        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = 'erased:0123456789abcdef0123456789abcdef' AND client_ip IS NULL", ("t", mine)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = 'alice2'", ("t", mine)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = 'alice' AND client_ip IS NOT NULL", ("t", theirs)));
    }

    [Theory]
    [InlineData("SELECT privacy_pseudonymize_audit_events('alice', 'bob')")]
    [InlineData("SELECT privacy_pseudonymize_audit_events('', 'erased:0123456789abcdef0123456789abcdef')")]
    [InlineData("SELECT privacy_pseudonymize_paper_versions('alice', 'erased:nothex')")]
    public async Task FunctionsRefuseAnythingButAUidAndAPseudonym(string sql)
    {
        await using var connection = await AppConnectionAsync(await App.CreateTenantAsync());
        await using var call = new NpgsqlCommand(sql, connection);

        await Assert.ThrowsAsync<PostgresException>(() => call.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("SELECT privacy_pseudonymize_audit_events('alice', 'erased:0123456789abcdef0123456789abcdef')")]
    [InlineData("SELECT privacy_delete_answers('alice')")]
    [InlineData("SELECT workflow_erase_steps(ARRAY[gen_random_uuid()])")]
    public async Task FunctionsRefuseAConnectionWithNoTenant(string sql)
    {
        await using var connection = await AppConnectionAsync(null);
        await using var call = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => call.ExecuteScalarAsync());
        Assert.Contains("no tenant", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EverySecurityDefinerFunctionHasAFixedSearchPathAndNoPublicExecute()
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT p.proname,
                   p.prosecdef,
                   coalesce(array_to_string(p.proconfig, ','), '') LIKE '%search_path=%',
                   EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
                   has_function_privilege(@app, p.oid, 'EXECUTE')
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1
            """, connection);
        command.Parameters.AddWithValue("app", LearnPlatform.LocalDev.LocalPostgres.PostgresProvisioner.AppRole);
        var executable = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            if (reader.GetBoolean(1))
            {
                Assert.True(reader.GetBoolean(2), $"{name} is SECURITY DEFINER without a fixed search_path");
            }
            Assert.False(reader.GetBoolean(3), $"{name} is executable by PUBLIC");
            if (reader.GetBoolean(4))
            {
                executable.Add(name);
            }
        }
        Assert.Equal(AppRoleGrants.Functions.Keys.Order(), executable.Order());
    }
}
