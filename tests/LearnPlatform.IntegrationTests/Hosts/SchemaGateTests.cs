using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.LocalDev.LocalPostgres;
using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Hosts;

/// <summary>
/// Both hosts started on a database one migration behind them (the rollout where the migrations Job and the
/// Deployments apply together): not ready, and no run claimed, until the migration is there.
/// </summary>
public sealed class SchemaGateTests
{
    private const string Waiting = "waits for the database schema";

    [Fact]
    public async Task WorkerHostIsNotReadyAndClaimsNothingUntilTheLatestMigrationIsApplied()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        await using var behind = await MigrationBehind.CreateAsync(database);
        var runId = await behind.StartDueRunAsync();
        var port = FreePort.Next();
        await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
            ["Workflows__SchemaCheckInterval"] = "00:00:00.200",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await Eventually.TrueAsync(() => Task.FromResult(Occurrences(worker.Output, Waiting) >= 2), TimeSpan.FromSeconds(60), "the worker to wait for its schema twice");
        await AssertNotReadyAsync(http);
        Assert.Equal(WorkflowStatus.Pending, await behind.StatusAsync(runId));

        await behind.ApplyAsync();

        await worker.WaitUntilReadyAsync(port);
        await Eventually.TrueAsync(async () => await behind.StatusAsync(runId) == WorkflowStatus.Completed, what: "the run to complete");
        Assert.Contains("the schema is current", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiHostIsNotReadyAndItsWorkerClaimsNothingUntilTheLatestMigrationIsApplied()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        await using var behind = await MigrationBehind.CreateAsync(database);
        var runId = await behind.StartDueRunAsync();
        await using var app = await TestApp.StartAsync(settings => settings["Workflows:SchemaCheckInterval"] = "00:00:00.200", database: database);

        await Eventually.TrueAsync(() => Task.FromResult(Occurrences(app.Logs.All, Waiting) >= 2), what: "the API's worker to wait for its schema twice");
        await AssertNotReadyAsync(app.Client);
        Assert.Equal(WorkflowStatus.Pending, await behind.StatusAsync(runId));

        await behind.ApplyAsync();

        await Eventually.TrueAsync(async () => (await app.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, what: "the API to be ready");
        await Eventually.TrueAsync(async () => await behind.StatusAsync(runId) == WorkflowStatus.Completed, what: "the run to complete");
    }

    private static async Task AssertNotReadyAsync(HttpClient http)
    {
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("migrations pending", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    /// <summary>A migrated database whose latest host migration is taken out of the history, as if the new build's Job had not run yet.</summary>
    private sealed class MigrationBehind : IAsyncDisposable
    {
        private readonly NpgsqlDataSource superuser;
        private readonly NpgsqlDataSource app;
        private readonly string migrationId;
        private readonly string productVersion;

        private MigrationBehind(NpgsqlDataSource superuser, NpgsqlDataSource app, string migrationId, string productVersion)
        {
            this.superuser = superuser;
            this.app = app;
            this.migrationId = migrationId;
            this.productVersion = productVersion;
        }

        public static async Task<MigrationBehind> CreateAsync(LocalDatabase database)
        {
            var superuser = NpgsqlDataSource.Create(database.SuperuserConnectionString);
            await using var command = superuser.CreateCommand("""
                DELETE FROM "__EFMigrationsHistory"
                WHERE "MigrationId" = (SELECT max("MigrationId") FROM "__EFMigrationsHistory")
                RETURNING "MigrationId", "ProductVersion"
                """);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return new MigrationBehind(superuser, NpgsqlDataSource.Create(database.AppConnectionString), reader.GetString(0), reader.GetString(1));
        }

        /// <summary>A deadline run of no session, due now: any worker that claims it completes it at once.</summary>
        public async Task<Guid> StartDueRunAsync()
        {
            var client = new WorkflowClient(new WorkflowRegistry().Register<SessionDeadlineInput>(GradingRuns.SessionDeadline, (_, _) => Task.CompletedTask));
            await using var connection = await app.OpenConnectionAsync();
            var start = await client.StartAsync(connection, null, GradingRuns.SessionDeadline, $"deadline:{Guid.NewGuid()}", new SessionDeadlineInput(Guid.NewGuid()), tenantId: null);
            return start.RunId;
        }

        public async Task<string> StatusAsync(Guid runId)
        {
            await using var command = superuser.CreateCommand("SELECT status FROM workflow_runs WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = runId });
            return (string)(await command.ExecuteScalarAsync())!;
        }

        public async Task ApplyAsync()
        {
            await using var command = superuser.CreateCommand("""INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ($1, $2)""");
            command.Parameters.Add(new NpgsqlParameter { Value = migrationId });
            command.Parameters.Add(new NpgsqlParameter { Value = productVersion });
            await command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await superuser.DisposeAsync();
            await app.DisposeAsync();
        }
    }
}
