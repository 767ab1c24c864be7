using LearnPlatform.Core.Data;
using LearnPlatform.Workflows.Tests.Infrastructure;
using Npgsql;

namespace LearnPlatform.Workflows.Tests;

public sealed class RowLevelSecurityTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    // Two steps: the first is checkpointed (the last step of a completed run never is).
    private readonly WorkflowRegistry registry = new WorkflowRegistry().Register<string>("rls.echo", async (workflow, text) =>
    {
        var echoed = await workflow.StepAsync("echo", (_, _) => Task.FromResult(text));
        await workflow.StepAsync("again", (_, _) => Task.FromResult(echoed));
    });

    private static async Task<NpgsqlConnection> ConnectAsync(NpgsqlDataSource dataSource, Guid? tenant)
    {
        var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT set_config('app.tenant_id', $1, false)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant?.ToString() ?? "" });
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task TenantConnectionSeesOnlyItsOwnRunsAndStepsAndAConnectionWithoutTenantSeesNone()
    {
        var mine = await db.CreateTenantAsync();
        var theirs = await db.CreateTenantAsync();
        var client = new WorkflowClient(registry);
        var runs = new List<Guid>();
        foreach (var tenant in new Guid?[] { mine, theirs, null })
        {
            await using var connection = await ConnectAsync(db.App, tenant);
            runs.Add((await client.StartAsync(connection, null, "rls.echo", $"rls:{Guid.NewGuid()}", "answer", tenant)).RunId);
        }
        await using (var worker = await RunningWorker.StartAsync(db.App, registry))
        {
            foreach (var run in runs)
            {
                await db.WaitForStatusAsync(run, WorkflowStatus.Completed);
            }
        }

        await using var mineConnection = await ConnectAsync(db.App, mine);
        Assert.Equal((1L, 1L), (await CountAsync(mineConnection, "workflow_runs"), await CountAsync(mineConnection, "workflow_steps")));
        await using var nobody = await ConnectAsync(db.App, null);
        Assert.Equal((0L, 0L), (await CountAsync(nobody, "workflow_runs"), await CountAsync(nobody, "workflow_steps")));
        Assert.Equal(mine, await db.ScalarAsync<Guid>("SELECT tenant_id FROM workflow_steps WHERE run_id = $1", runs[0]));
    }

    [Fact]
    public async Task TenantConnectionCannotStartAnotherTenantsRun()
    {
        var mine = await db.CreateTenantAsync();
        var theirs = await db.CreateTenantAsync();
        await using var connection = await ConnectAsync(db.App, mine);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            new WorkflowClient(registry).StartAsync(connection, null, "rls.echo", $"rls:{Guid.NewGuid()}", "x", theirs));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task KeyTakenByAnotherTenantsRunIsAConflictNotALeak()
    {
        var mine = await db.CreateTenantAsync();
        var theirs = await db.CreateTenantAsync();
        var key = $"rls:{Guid.NewGuid()}";
        var client = new WorkflowClient(registry);
        await using (var connection = await ConnectAsync(db.App, theirs))
        {
            await client.StartAsync(connection, null, "rls.echo", key, "x", theirs);
        }

        await using var mineConnection = await ConnectAsync(db.App, mine);
        await Assert.ThrowsAsync<WorkflowKeyConflictException>(() => client.StartAsync(mineConnection, null, "rls.echo", key, "x", mine));
    }

    [Fact]
    public async Task EngineSettingLastsOnlyForTheEnginesOwnStatements()
    {
        // Pool reset is off here, so only the transaction-local scope of the setting can be what clears it.
        var noReset = new NpgsqlConnectionStringBuilder(db.Database.AppConnectionString) { NoResetOnClose = true, MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(noReset);
        await using var connection = await ConnectAsync(dataSource, null);

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var start = await new WorkflowClient(registry).StartAsync(connection, transaction, "rls.echo", $"rls:{Guid.NewGuid()}", "x", tenantId: null);
            Assert.True(start.Created);
            Assert.Equal(0L, await CountAsync(connection, "workflow_runs"));
            await transaction.CommitAsync();
        }
        await connection.CloseAsync();
        // An engine command on the same physical connection (the pool holds one).
        Assert.Empty(await new WorkflowAdmin(dataSource).ListFailedAsync(limit: 1));

        await using var same = await dataSource.OpenConnectionAsync();
        Assert.Equal(0L, await CountAsync(same, "workflow_runs"));
        await using var setting = new NpgsqlCommand("SELECT coalesce(current_setting('app.workflow_engine', true), '')", same);
        Assert.Equal("", (string)(await setting.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("workflow_runs", "SELECT,INSERT,UPDATE")]
    [InlineData("workflow_steps", "SELECT,INSERT")]
    public async Task WorkflowTableHasForcedRowLevelSecurityAndTheApplicationRoleHoldsOnlyItsListedGrants(string table, string expected)
    {
        Assert.True(await db.ScalarAsync<bool>("SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = $1::regclass", table));
        Assert.Equal(expected.Replace(",", ", ", StringComparison.Ordinal), AppRoleGrants.Tables[table]);
        var held = new List<string>();
        foreach (var privilege in new[] { "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER" })
        {
            if (await db.ScalarAsync<bool>("SELECT has_table_privilege('learnplatform_app', $1, $2)", table, privilege))
            {
                held.Add(privilege);
            }
        }
        Assert.Equal(expected, string.Join(',', held));
    }
}
