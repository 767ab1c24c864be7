using LearnPlatform.Api.Cli;
using LearnPlatform.LocalDev.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Cli;

public sealed class OperatorCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(LocalDatabase database, params string[] args) =>
        await RunAsync(database.OwnerConnectionString, database.AppConnectionString, args);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string owner, string app, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgresMigrations"] = owner,
            ["ConnectionStrings:Postgres"] = app,
        }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await OperatorCli.RunAsync(args, configuration, output, error);
        return (exit, output.ToString().Trim(), error.ToString().Trim());
    }

    [Fact]
    public async Task MigrateAppliesMigrationsAndIsSafeToRunAgain()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();

        Assert.Equal(0, (await RunAsync(database, "migrate")).Exit);
        var again = await RunAsync(database, "migrate");

        Assert.Equal(0, again.Exit);
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public async Task MigrateRefusesAnApplicationRoleThatBypassesRowLevelSecurity()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();

        var result = await RunAsync(database.OwnerConnectionString, database.SuperuserConnectionString, "migrate");

        Assert.Equal(1, result.Exit);
        Assert.Contains("superuser, has BYPASSRLS, or owns the tables", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantsCreatePrintsTheNewTenantsIdAndMembersAddGrantsARole()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var created = await RunAsync(database, "tenants", "create", "--name", "Springfield High", "--firebase-tenant", "springfield-abc12");
        Assert.Equal(0, created.Exit);
        var tenant = Guid.Parse(created.Output);

        var added = await RunAsync(database, "members", "add", "--tenant", tenant.ToString(), "--uid", "teacher-1", "--role", "author");
        Assert.Equal(0, added.Exit);
        var promoted = await RunAsync(database, "members", "add", "--tenant", tenant.ToString(), "--uid", "teacher-1", "--role", "admin");
        Assert.Equal(0, promoted.Exit);

        await using var connection = new NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT role FROM memberships WHERE tenant_id = @t AND uid = 'teacher-1'", connection);
        command.Parameters.AddWithValue("t", tenant);
        Assert.Equal("admin", (string)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task DuplicateFirebaseTenantIsRefusedClearly()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        Assert.Equal(0, (await RunAsync(database, "tenants", "create", "--name", "A", "--firebase-tenant", "dup-1")).Exit);

        var second = await RunAsync(database, "tenants", "create", "--name", "B", "--firebase-tenant", "dup-1");

        Assert.Equal(1, second.Exit);
        Assert.Contains("already exists", second.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("members", "add", "--tenant", "not-a-uuid", "--uid", "u", "--role", "admin")]
    [InlineData("members", "add", "--tenant", "0193a5b0-0000-7000-8000-000000000001", "--uid", "u", "--role", "superuser")]
    [InlineData("members", "add", "--tenant", "0193a5b0-0000-7000-8000-000000000001", "--uid", "u")]
    [InlineData("tenants", "create")]
    [InlineData("tenants", "create", "--name", "")]
    [InlineData("tenants", "delete")]
    public async Task BadUsageExitsWithTwoAndSaysWhy(params string[] args)
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var result = await RunAsync(database, args);

        Assert.Equal(2, result.Exit);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("usage:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddingAMemberToAnUnknownTenantFails()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var result = await RunAsync(database, "members", "add", "--tenant", Guid.CreateVersion7().ToString(), "--uid", "u", "--role", "admin");

        Assert.Equal(1, result.Exit);
        Assert.Contains("not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditFloorSetsTheShortestRetentionThePurgeAccepts()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var result = await RunAsync(database, "audit", "floor", "--days", "30");

        Assert.Equal(0, result.Exit);
        Assert.Contains("at least 30 days", result.Output, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT min_days FROM audit_retention_floor", connection);
        Assert.Equal(30, (int)(await command.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3651")]
    [InlineData("ninety")]
    public async Task AuditFloorRefusesDaysOutsideOneToTenYears(string days)
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var result = await RunAsync(database, "audit", "floor", "--days", days);

        Assert.Equal(2, result.Exit);
        Assert.Contains("--days must be a whole number from 1 to 3650", result.Error, StringComparison.Ordinal);
    }
}
