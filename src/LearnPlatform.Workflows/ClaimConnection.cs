using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// A worker's own connection for its claim statements, kept open while it claims, with each variant of the statement
/// (with or without completions, with or without a rescue) prepared on it once. The claim is the engine's hot path, run
/// many times a second under load: on a pooled connection each one would pay the pool's reset and be parsed and
/// planned again. Any error drops the connection and its statements; the next claim opens and prepares afresh.
/// </summary>
internal sealed class ClaimConnection(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private readonly Dictionary<(bool Complete, bool Rescue), NpgsqlCommand> prepared = [];
    private NpgsqlConnection? connection;

    /// <summary>The prepared statement for this variant, made by <paramref name="create"/> the first time.</summary>
    public async Task<NpgsqlCommand> CommandAsync(bool complete, bool rescue, Func<NpgsqlConnection, NpgsqlCommand> create, CancellationToken ct)
    {
        connection ??= await dataSource.OpenConnectionAsync(ct);
        if (!prepared.TryGetValue((complete, rescue), out var command))
        {
            command = create(connection);
            await command.PrepareAsync(ct);
            prepared[(complete, rescue)] = command;
        }
        return command;
    }

    /// <summary>Drops the connection (after an error: it may be broken, or in the middle of a result).</summary>
    public async ValueTask ResetAsync()
    {
        foreach (var command in prepared.Values)
        {
            await command.DisposeAsync();
        }
        prepared.Clear();
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }

    public ValueTask DisposeAsync() => ResetAsync();
}
