using LearnPlatform.LocalDev.LocalPostgres;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Cli;

/// <summary>
/// The operator commands run the way the chart's operator Job runs them (helm/learnplatform/templates/operator-cronjob.yaml):
/// the built API binary in Production, configuration from environment variables, and the two connection strings as
/// mounted files in Secrets__Directory (mode 0440), against the same roles as production: the tables' owner
/// (neither superuser nor BYPASSRLS) and the application role. The API pods mount only the application's
/// connection, which is why the commands cannot run there.
/// </summary>
public sealed class OperatorJobTests : IDisposable
{
    private readonly string secrets = Directory.CreateTempSubdirectory("learnplatform-operator-secrets-").FullName;

    public void Dispose() => Directory.Delete(secrets, recursive: true);

    private void Mount(string key, string value)
    {
        var path = Path.Combine(secrets, key);
        File.WriteAllText(path, value + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var job = HostProcess.Start("LearnPlatform.Api", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Secrets__Directory"] = secrets,
            ["Firebase__ProjectId"] = "learnplatform-operator-test",
        }, args);
        var exit = await job.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, job.Output.Trim(), job.Error.Trim());
    }

    private async Task<LocalDatabase> MountJobSecretsAsync()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        Mount("ConnectionStrings__Postgres", database.AppConnectionString);
        Mount("ConnectionStrings__PostgresMigrations", database.OwnerConnectionString);
        return database;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task TheJobsOwnerRoleIsTheTablesOwnerWithoutSuperuserOrBypassRls()
    {
        var database = await MountJobSecretsAsync();

        var privileged = await ScalarAsync<bool>(database.OwnerConnectionString,
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user");
        var ownsTenants = await ScalarAsync<string>(database.OwnerConnectionString,
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'tenants'");

        Assert.False(privileged);
        Assert.Equal(PostgresProvisioner.OwnerRole, ownsTenants);
    }

    [Fact]
    public async Task TenantsCreateAndMembersAddWorkWithTheJobsMountedSecrets()
    {
        var database = await MountJobSecretsAsync();

        var created = await RunAsync("tenants", "create", "--name", "O'Brien \"Springfield\" High");
        Assert.Equal(0, created.Exit);
        var tenant = Guid.Parse(created.Output);
        var added = await RunAsync("members", "add", "--tenant", tenant.ToString(), "--uid", "first-admin", "--role", "admin");

        Assert.Equal(0, added.Exit);
        Assert.Equal($"first-admin is admin in tenant {tenant}", added.Output);
        Assert.Equal("O'Brien \"Springfield\" High", await ScalarAsync<string>(database.SuperuserConnectionString,
            "SELECT name FROM tenants WHERE id = @t", ("t", tenant)));
        Assert.Equal("admin", await ScalarAsync<string>(database.SuperuserConnectionString,
            "SELECT role FROM memberships WHERE tenant_id = @t AND uid = 'first-admin'", ("t", tenant)));
        Assert.Equal("operator", await ScalarAsync<string>(database.SuperuserConnectionString,
            "SELECT actor FROM audit_events WHERE tenant_id = @t AND action = 'member.role_set'", ("t", tenant)));
    }

    [Fact]
    public async Task RunsFailedRetryAndCancelWorkWithTheJobsMountedSecrets()
    {
        var database = await MountJobSecretsAsync();
        var parked = Guid.CreateVersion7();
        var cancelled = Guid.CreateVersion7();
        await using (var connection = new NpgsqlConnection(database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SET app.workflow_engine = 'on';
                INSERT INTO workflow_runs (id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, last_error, created_at, updated_at)
                VALUES (@parked, 'grade-session', 'grade:job-retry', '{}', 'failed', now(), 12, 12, 'step ''save'': TimeoutException', now(), now()),
                       (@cancelled, 'grade-session', 'grade:job-cancel', '{}', 'failed', now(), 12, 12, 'step ''save'': TimeoutException', now(), now())
                """, connection);
            command.Parameters.AddWithValue("parked", parked);
            command.Parameters.AddWithValue("cancelled", cancelled);
            await command.ExecuteNonQueryAsync();
        }

        var listed = await RunAsync("runs", "failed");
        var retried = await RunAsync("runs", "retry", "--id", parked.ToString());
        var stopped = await RunAsync("runs", "cancel", "--id", cancelled.ToString());

        Assert.Equal(0, listed.Exit);
        Assert.Contains(parked.ToString(), listed.Output, StringComparison.Ordinal);
        Assert.Contains(cancelled.ToString(), listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, retried.Exit);
        Assert.Equal(0, stopped.Exit);
        Assert.Equal("no parked runs", (await RunAsync("runs", "failed")).Output);
    }

    [Fact]
    public async Task WithOnlyTheApiPodsSecretsTheCommandsSayWhatIsMissing()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        Mount("ConnectionStrings__Postgres", database.AppConnectionString);

        var result = await RunAsync("tenants", "create", "--name", "Nope");

        Assert.Equal(1, result.Exit);
        Assert.Equal("error: ConnectionStrings__PostgresMigrations is not set", result.Error);
        Assert.Equal(0L, await ScalarAsync<long>(database.SuperuserConnectionString, "SELECT count(*) FROM tenants"));
    }

    [Fact]
    public async Task TheApplicationRoleCannotCreateTenantsItself()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        Mount("ConnectionStrings__Postgres", database.AppConnectionString);
        Mount("ConnectionStrings__PostgresMigrations", database.AppConnectionString);

        var result = await RunAsync("tenants", "create", "--name", "Nope");

        Assert.Equal(1, result.Exit);
        Assert.Contains("permission denied", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheJobsDefaultArgumentsOnlyReadParkedRuns()
    {
        await MountJobSecretsAsync();

        var result = await RunAsync("runs", "failed");

        Assert.Equal(0, result.Exit);
        Assert.Equal("no parked runs", result.Output);
    }
}
