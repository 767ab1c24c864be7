using LearnPlatform.LocalDev.LocalPostgres;
using Npgsql;

namespace LearnPlatform.Workflows.Tests.Infrastructure;

/// <summary>
/// A test class's own migrated database: <see cref="App"/> connects as the application role (what the engine uses in
/// production, under row-level security); <see cref="Superuser"/> reads the truth past row-level security.
/// </summary>
public sealed class WorkflowDatabase : IAsyncLifetime
{
    public LocalDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource App { get; private set; } = null!;
    public NpgsqlDataSource Superuser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        App = NpgsqlDataSource.Create(Database.AppConnectionString);
        Superuser = NpgsqlDataSource.Create(Database.SuperuserConnectionString);
        await using var owner = new NpgsqlConnection(Database.OwnerConnectionString);
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand(TestWorkflows.EffectsTable, owner);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Superuser.DisposeAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<T>> ListAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        var values = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }
        return values;
    }

    public Task<string> StatusAsync(Guid runId) => ScalarAsync<string>("SELECT status FROM workflow_runs WHERE id = $1", runId);

    /// <summary>How many effects a run's activities recorded, optionally of one step and phase.</summary>
    public async Task<int> EffectsAsync(Guid runId, string? step = null, string? phase = null) =>
        (int)await ScalarAsync<long>(
            "SELECT count(*) FROM test_effects WHERE run_id = $1 AND ($2 = '' OR step = $2) AND ($3 = '' OR phase = $3)",
            runId, step ?? "", phase ?? "");

    public async Task<Guid> CreateTenantAsync()
    {
        var id = Guid.CreateVersion7();
        await using var command = Superuser.CreateCommand("INSERT INTO tenants (id, name) VALUES ($1, 'Tenant ' || $1::text)");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>Starts a run of no tenant on its own application-role connection (committed at once).</summary>
    public async Task<Guid> StartAsync(WorkflowClient client, string type, object input, string? key = null, DateTimeOffset? runAt = null)
    {
        await using var connection = await App.OpenConnectionAsync();
        var start = await client.StartAsync(connection, null, type, key ?? $"{type}:{Guid.NewGuid()}", input, tenantId: null, runAt);
        return start.RunId;
    }

    public Task WaitForStatusAsync(Guid runId, string status, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(async () => await StatusAsync(runId) == status, timeout, $"run {runId} to be {status}");
}
