using LearnPlatform.Api.Cli;
using LearnPlatform.Workflows;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Data;

/// <summary>The workflow engine migrates its own tables, before the application's migrations and under its own versions.</summary>
public sealed class WorkflowSchemaTests
{
    private static async Task<int> MigrateAsync(LocalDatabaseLike database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgresMigrations"] = database.Owner,
            ["ConnectionStrings:Postgres"] = database.App,
        }).Build();
        return await OperatorCli.RunAsync(["migrate"], configuration, TextWriter.Null, TextWriter.Null);
    }

    private sealed record LocalDatabaseLike(string Owner, string App, string Superuser);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task MigrateTakesOverWorkflowTablesCreatedBeforeTheEngineOwnedItsSchemaAndKeepsTheirRuns()
    {
        var created = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();
        var database = new LocalDatabaseLike(created.OwnerConnectionString, created.AppConnectionString, created.SuperuserConnectionString);
        Assert.Equal(0, await MigrateAsync(database));
        // The database as the application's own migration left it before: the same tables and policies, no engine versions.
        await ScalarAsync<int>(database.Superuser, """
            INSERT INTO workflow_runs (id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, created_at, updated_at)
            VALUES ('0190e7a0-0000-7000-8000-000000000001', 'kept', 'kept:1', '{}', 'pending', now(), 1, 1, now(), now());
            DROP TABLE workflow_schema_versions;
            DROP FUNCTION workflow_erase_steps(uuid[]);
            DELETE FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261201090000_WorkflowsOwnTheirSchema';
            ALTER TABLE workflow_runs DROP CONSTRAINT workflow_runs_tenant_id_fkey;
            SELECT 1;
            """);

        Assert.Equal(0, await MigrateAsync(database));

        Assert.Equal(1L, await ScalarAsync<long>(database.Superuser, "SELECT count(*) FROM workflow_runs WHERE workflow_key = 'kept:1'"));
        Assert.Equal(WorkflowSchema.Version, await ScalarAsync<int>(database.Superuser, "SELECT max(version) FROM workflow_schema_versions"));
        Assert.Equal(1L, await ScalarAsync<long>(database.Superuser, "SELECT count(*) FROM pg_proc WHERE proname = 'workflow_erase_steps'"));
        Assert.Equal(1L, await ScalarAsync<long>(database.Superuser, "SELECT count(*) FROM pg_constraint WHERE conname = 'workflow_runs_tenant_id_fkey'"));
        await using var app = NpgsqlDataSource.Create(database.App);
        Assert.True(await WorkflowSchema.IsCurrentAsync(app));
    }

    [Fact]
    public async Task ADatabaseWithoutTheEnginesSchemaIsNotCurrent()
    {
        var empty = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();
        await using var app = NpgsqlDataSource.Create(empty.AppConnectionString);

        Assert.False(await WorkflowSchema.IsCurrentAsync(app));
    }
}
