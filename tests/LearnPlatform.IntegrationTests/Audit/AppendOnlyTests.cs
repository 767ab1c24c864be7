using Npgsql;

namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>The application role can add audit rows and read its tenant's, and nothing else: no update, no delete, no early purge.</summary>
public sealed class AppendOnlyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<NpgsqlConnection> AppConnectionAsync(Guid tenant)
    {
        var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", connection);
        set.Parameters.AddWithValue("t", tenant.ToString());
        await set.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<PostgresException> FailsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    [Theory]
    [InlineData("UPDATE audit_events SET actor = 'someone-else'")]
    [InlineData("DELETE FROM audit_events")]
    [InlineData("TRUNCATE audit_events")]
    public async Task TheApplicationRoleCannotChangeOrRemoveAuditRows(string sql)
    {
        var tenant = await App.CreateTenantAsync();
        await App.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-400));
        await using var connection = await AppConnectionAsync(tenant);

        var error = await FailsAsync(connection, sql);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Single(await App.AuditRowsAsync("tenant_id = @t AND actor = 'tester'", ("t", tenant)));
    }

    [Fact]
    public async Task TheApplicationRoleCanAddAndReadItsOwnTenantsRowsOnly()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        await App.InsertAuditAsync(other, DateTimeOffset.UtcNow);
        await using var connection = await AppConnectionAsync(tenant);

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome) VALUES (gen_random_uuid(), @t, now(), 'a', 'x.y', 'r', 'success')", connection))
        {
            insert.Parameters.AddWithValue("t", tenant);
            await insert.ExecuteNonQueryAsync();
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM audit_events", connection);

        Assert.Equal(1L, await count.ExecuteScalarAsync());
        var foreign = await FailsAsync(connection, $"INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome) VALUES (gen_random_uuid(), '{other}', now(), 'a', 'x.y', 'r', 'success')");
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, foreign.SqlState);
    }

    [Fact]
    public async Task OnlySignInFailuresMayBeTenantless()
    {
        await using var connection = await AppConnectionAsync(Guid.Empty);

        var error = await FailsAsync(connection,
            "INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome) VALUES (gen_random_uuid(), NULL, now(), 'a', 'paper.publish', 'r', 'success')");

        Assert.Contains(error.SqlState, new[] { PostgresErrorCodes.InsufficientPrivilege, PostgresErrorCodes.CheckViolation });
    }

    [Fact]
    public async Task ThePurgeFunctionRefusesACutoffYoungerThanADay()
    {
        var tenant = await App.CreateTenantAsync();
        await App.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddHours(-2));
        await using var connection = await AppConnectionAsync(tenant);

        var error = await FailsAsync(connection, "SELECT purge_audit_events(now() - interval '1 hour', 100)");

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        Assert.Single(await App.AuditRowsAsync("tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task ThePurgeFunctionRefusesTheApplicationRoleACutoffInsideTheNinetyDayFloor()
    {
        var tenant = await App.CreateTenantAsync();
        await App.InsertAuditAsync(tenant, DateTimeOffset.UtcNow.AddDays(-40));
        await using var connection = await AppConnectionAsync(tenant);

        var error = await FailsAsync(connection, "SELECT purge_audit_events(now() - interval '30 days', 100)");

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        Assert.Contains("at least 90 days", error.MessageText, StringComparison.Ordinal);
        Assert.Single(await App.AuditRowsAsync("tenant_id = @t", ("t", tenant)));
    }

    [Theory]
    [InlineData("UPDATE audit_retention_floor SET min_days = 1")]
    [InlineData("DELETE FROM audit_retention_floor")]
    [InlineData("INSERT INTO audit_retention_floor (id, min_days) VALUES (false, 1)")]
    [InlineData("TRUNCATE audit_retention_floor")]
    public async Task TheApplicationRoleCannotChangeThePurgeFloor(string sql)
    {
        await using var connection = await AppConnectionAsync(Guid.Empty);

        var error = await FailsAsync(connection, sql);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(90, await App.CountAsync("SELECT min_days FROM audit_retention_floor"));
    }

    [Fact]
    public async Task OnlyTheApplicationRoleMayRunThePurgeFunction()
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT array_agg(grantee::regrole::text ORDER BY grantee::regrole::text)
            FROM pg_proc, aclexplode(proacl) WHERE proname = 'purge_audit_events' AND privilege_type = 'EXECUTE'
            """, connection);
        var grantees = (string[])(await command.ExecuteScalarAsync())!;

        var appRole = new NpgsqlConnectionStringBuilder(App.Database.AppConnectionString).Username!;
        var owner = new NpgsqlConnectionStringBuilder(App.Database.OwnerConnectionString).Username!;
        Assert.Equal(new[] { appRole, owner }.Order(StringComparer.Ordinal), grantees.Order(StringComparer.Ordinal));
    }
}
