using Microsoft.Extensions.DependencyInjection;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Data;

public sealed class SchemaTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task EveryMappedPropertyHasItsSnakeCaseColumnInTheMigratedSchema()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
        await using var connection = new NpgsqlConnection(fixture.App.Database.OwnerConnectionString);
        await connection.OpenAsync();

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
            {
                await using var command = new NpgsqlCommand(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @t AND column_name = @c", connection);
                command.Parameters.AddWithValue("t", table);
                command.Parameters.AddWithValue("c", property.GetColumnName());
                Assert.True((long)(await command.ExecuteScalarAsync())! == 1, $"{table}.{property.GetColumnName()} is mapped but not in the schema");
            }
        }
    }

    [Fact]
    public async Task EveryTableHasAnExplicitGrantForTheApplicationRole()
    {
        await using var connection = new NpgsqlConnection(fixture.App.Database.OwnerConnectionString);
        await connection.OpenAsync();
        // Partitions are reached through their parent only; the application role has no grant on them.
        await using var command = new NpgsqlCommand(
            "SELECT t.tablename FROM pg_tables t JOIN pg_class c ON c.oid = format('public.%I', t.tablename)::regclass WHERE t.schemaname = 'public' AND NOT c.relispartition", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.True(AppRoleGrants.Tables.ContainsKey(reader.GetString(0)), $"{reader.GetString(0)} has no entry in AppRoleGrants");
        }
    }

    [Fact]
    public async Task EveryApplicationTableIsMappedInTheModelAndTheRestBelongToTheWorkflowEngine()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
        await using var connection = new NpgsqlConnection(fixture.App.Database.OwnerConnectionString);
        await connection.OpenAsync();
        // A partition is its parent's storage, not a table of its own.
        await using var command = new NpgsqlCommand(
            "SELECT t.tablename FROM pg_tables t JOIN pg_class c ON c.oid = format('public.%I', t.tablename)::regclass WHERE t.schemaname = 'public' AND NOT c.relispartition ORDER BY 1", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var owned = db.Model.GetEntityTypes().Select(e => e.GetTableName()!)
            .Concat(LearnPlatform.Workflows.WorkflowSchema.Tables)
            .Append("__EFMigrationsHistory");
        Assert.Equal(tables, owned.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SnakeCaseNamesFollowPostgresConventions()
    {
        Assert.Equal("tenant_id", SnakeCase.From("TenantId"));
        Assert.Equal("firebase_tenant_id", SnakeCase.From("FirebaseTenantId"));
        Assert.Equal("token_hash", SnakeCase.From("TokenHash"));
        Assert.Equal("http_status", SnakeCase.From("HTTPStatus"));
        Assert.Equal("uid", SnakeCase.From("Uid"));
    }
}
