using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Tenancy;

public sealed class RowLevelSecurityTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<List<string>> TenantOwnedTablesAsync()
    {
        await using var connection = new NpgsqlConnection(App.Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            // Partitions are left out: the application role can reach them only through their parent, whose policy applies.
            """
            SELECT col.table_name FROM information_schema.columns col JOIN pg_class c ON c.oid = format('public.%I', col.table_name)::regclass
            WHERE col.table_schema = 'public' AND col.column_name = 'tenant_id' AND NOT c.relispartition ORDER BY 1
            """, connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }

    private async Task SeedTwoTenantsAsync()
    {
        foreach (var tenant in new[] { await App.CreateTenantAsync(), await App.CreateTenantAsync() })
        {
            await App.SetRoleAsync(tenant, $"admin-{tenant:N}", Roles.Admin);
        }
    }

    [Fact]
    public async Task EveryTenantOwnedTableHasForcedRowLevelSecurity()
    {
        var tables = await TenantOwnedTablesAsync();
        Assert.Contains("memberships", tables);

        await using var connection = new NpgsqlConnection(App.Database.OwnerConnectionString);
        await connection.OpenAsync();
        foreach (var table in tables.Append("tenants"))
        {
            await using var command = new NpgsqlCommand(
                "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = @table::regclass", connection);
            command.Parameters.AddWithValue("table", table);
            Assert.True((bool)(await command.ExecuteScalarAsync())!, $"{table} lacks ENABLE + FORCE ROW LEVEL SECURITY");
        }
    }

    [Fact]
    public async Task ApplicationRoleWithNoTenantSetReadsZeroRowsFromEveryTable()
    {
        await SeedTwoTenantsAsync();
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        foreach (var table in (await TenantOwnedTablesAsync()).Append("tenants"))
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }

        await using var owner = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await owner.OpenAsync();
        await using var total = new NpgsqlCommand("SELECT count(*) FROM memberships", owner);
        Assert.True((long)(await total.ExecuteScalarAsync())! >= 2, "the rows exist; RLS hides them");
    }

    [Fact]
    public async Task RawQueryForAnotherTenantsRowReturnsNothing()
    {
        var mine = await App.CreateTenantAsync();
        var theirs = await App.CreateTenantAsync();
        await App.SetRoleAsync(theirs, "their-admin", Roles.Admin);

        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await TenantConnection.SetTenantAsync(connection, mine, CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM memberships WHERE tenant_id = @theirs AND uid = 'their-admin'", connection);
        command.Parameters.AddWithValue("theirs", theirs);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);

        await using var tenants = new NpgsqlCommand("SELECT count(*) FROM tenants WHERE id = @theirs", connection);
        tenants.Parameters.AddWithValue("theirs", theirs);
        Assert.Equal(0L, (long)(await tenants.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ApplicationRoleCannotWriteIntoAnotherTenant()
    {
        var mine = await App.CreateTenantAsync();
        var theirs = await App.CreateTenantAsync();
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await TenantConnection.SetTenantAsync(connection, mine, CancellationToken.None);
        await using var insert = new NpgsqlCommand("INSERT INTO memberships (tenant_id, uid, role) VALUES (@theirs, 'intruder', 'admin')", connection);
        insert.Parameters.AddWithValue("theirs", theirs);

        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task ApplicationRoleIsNeitherOwnerNorSuperuserNorBypassRls()
    {
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT r.rolsuper, r.rolbypassrls,
                   EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user)
            FROM pg_roles r WHERE r.rolname = current_user
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(reader.GetBoolean(0));
        Assert.False(reader.GetBoolean(1));
        Assert.False(reader.GetBoolean(2));
    }

    [Fact]
    public async Task ApplicationRoleCannotCreateTenantsOrChangeTheSchema()
    {
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        var id = Guid.CreateVersion7();
        await TenantConnection.SetTenantAsync(connection, id, CancellationToken.None);
        foreach (var sql in new[] { $"INSERT INTO tenants (id, name) VALUES ('{id}', 'x')", "CREATE TABLE sneaky (id int)", "ALTER TABLE memberships DISABLE ROW LEVEL SECURITY" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains(error.SqlState, new[] { PostgresErrorCodes.InsufficientPrivilege, "42501" });
        }
    }

    [Fact]
    public async Task TenantSetForOneRequestDoesNotSurviveIntoTheNextThroughThePool()
    {
        var tenant = await App.CreateTenantAsync();
        await App.SetRoleAsync(tenant, "someone", Roles.Author);
        var singleConnection = new NpgsqlConnectionStringBuilder(App.Database.AppConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(singleConnection);

        await using (var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenant))
        {
            Assert.Equal(1, await db.Memberships.CountAsync());
        }

        await using (var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId: null))
        {
            Assert.Equal(0, await db.Memberships.CountAsync());
        }

        // The same physical connection, used raw: the pool's reset cleared the setting too.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(current_setting('app.tenant_id', true), '')", connection);
        Assert.Equal("", (string)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task PooledContextNeverActsForThePreviousScopesTenant()
    {
        var one = await App.CreateTenantAsync();
        await App.SetRoleAsync(one, "pooled-author", Roles.Author);
        var two = await App.CreateTenantAsync();
        await App.SetRoleAsync(two, "pooled-author", Roles.Author);
        await App.SetRoleAsync(two, "pooled-admin", Roles.Admin);
        // The app's registrations on a provider of this test's own, so the pool hands back the one context it holds.
        await using var services = new ServiceCollection().AddLearnPlatformData(App.Database.AppConnectionString).BuildServiceProvider();

        LearnPlatformDbContext pooled;
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = one;
            pooled = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
            Assert.Equal(1, await pooled.Memberships.CountAsync());
        }

        await using (var db = services.GetRequiredService<IDbContextFactory<LearnPlatformDbContext>>().CreateDbContext())
        {
            Assert.Same(pooled, db);
            Assert.Null(db.Tenant.TenantId);
            Assert.Equal(0, await db.Memberships.CountAsync());
        }

        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = one;
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>().Memberships.CountAsync());
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
            Assert.Same(pooled, db);
            Assert.Equal(0, await db.Memberships.CountAsync());
            // A tenant set on the scope after the context was handed out (as authentication does) is the one it acts for.
            scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = two;
            Assert.Equal(2, await db.Memberships.CountAsync());
            Assert.Equal([two], await db.Memberships.Select(m => m.TenantId).Distinct().ToListAsync());
        }
    }
}
