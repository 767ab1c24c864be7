using LearnPlatform.Api.Cli;
using LearnPlatform.LocalDev.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Cli;

/// <summary>Operators list parked workflow runs and retry or cancel them with the CLI.</summary>
public sealed class RunCommandTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(LocalDatabase database, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgresMigrations"] = database.OwnerConnectionString,
            ["ConnectionStrings:Postgres"] = database.AppConnectionString,
        }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await OperatorCli.RunAsync(args, configuration, output, error);
        return (exit, output.ToString().Trim(), error.ToString().Trim());
    }

    private static async Task<Guid> ParkedRunAsync(LocalDatabase database, string key)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SET app.workflow_engine = 'on';
            INSERT INTO workflow_runs (id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, last_error, created_at, updated_at)
            VALUES (@id, 'grade-session', @key, '{}', 'failed', now(), 12, 12, 'step ''save'': NpgsqlException: connection refused', now(), now())
            """, connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private static async Task<string> StatusAsync(LocalDatabase database, Guid id)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SET app.workflow_engine = 'on'; SELECT status FROM workflow_runs WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ParkedRunsAreListedWithTheirLastErrorAndCanBeRetried()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        Assert.Equal("no parked runs", (await RunAsync(database, "runs", "failed")).Output);
        var parked = await ParkedRunAsync(database, "grade:cli-test");

        var listed = await RunAsync(database, "runs", "failed", "--type", "grade-session");
        var retried = await RunAsync(database, "runs", "retry", "--id", parked.ToString());

        Assert.Equal(0, listed.Exit);
        Assert.Contains(parked.ToString(), listed.Output, StringComparison.Ordinal);
        Assert.Contains("attempt 12/12", listed.Output, StringComparison.Ordinal);
        Assert.Contains("connection refused", listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, retried.Exit);
        Assert.Equal("pending", await StatusAsync(database, parked));
        Assert.Equal("no parked runs", (await RunAsync(database, "runs", "failed")).Output);
    }

    [Fact]
    public async Task RetryingARunThatIsNotParkedFailsAndCancelStopsAParkedRun()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        var parked = await ParkedRunAsync(database, "grade:cli-cancel");

        var cancelled = await RunAsync(database, "runs", "cancel", "--id", parked.ToString());
        var retried = await RunAsync(database, "runs", "retry", "--id", parked.ToString());
        var unknown = await RunAsync(database, "runs", "cancel", "--id", Guid.NewGuid().ToString());
        var bad = await RunAsync(database, "runs", "retry", "--id", "nope");

        Assert.Equal(0, cancelled.Exit);
        Assert.Equal("cancelled", await StatusAsync(database, parked));
        Assert.Equal(1, retried.Exit);
        Assert.Contains("is not parked", retried.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.Exit);
        Assert.Equal(2, bad.Exit);
    }
}
