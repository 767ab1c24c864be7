using System.Text.RegularExpressions;
using Npgsql;

namespace LearnPlatform.Core.LocalPostgres;

/// <summary>
/// With a superuser connection: creates the owner role (runs migrations) and the application role
/// (neither owner nor superuser nor BYPASSRLS), and databases owned by the owner role.
/// </summary>
public sealed partial class PostgresProvisioner(string superuserConnectionString, LocalCredentials credentials)
{
    public const string OwnerRole = "learnplatform_owner";
    public const string AppRole = "learnplatform_app";

    public async Task EnsureRolesAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync(ct);
        foreach (var (role, password) in new[] { (OwnerRole, credentials.OwnerPassword), (AppRole, credentials.AppPassword) })
        {
            // Role names are constants and passwords are hex: neither can carry SQL.
            await using var command = new NpgsqlCommand($"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
                  END IF;
                END $$;
                ALTER ROLE {role} PASSWORD '{password}';
                """, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Creates <paramref name="database"/> owned by the owner role (optionally copied from a template) if missing.</summary>
    public async Task<LocalDatabase> EnsureDatabaseAsync(string database, string? template = null, CancellationToken ct = default)
    {
        if (!DatabaseName().IsMatch(database) || (template is not null && !DatabaseName().IsMatch(template)))
        {
            throw new ArgumentException("database names are lower-case identifiers", nameof(database));
        }
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            var copy = template is null ? "" : $" TEMPLATE {template}";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database} OWNER {OwnerRole}{copy}", connection);
            await create.ExecuteNonQueryAsync(ct);
            await using var grant = new NpgsqlCommand(
                $"REVOKE ALL ON DATABASE {database} FROM PUBLIC; GRANT CONNECT ON DATABASE {database} TO {AppRole}", connection);
            await grant.ExecuteNonQueryAsync(ct);
        }

        var server = new NpgsqlConnectionStringBuilder(superuserConnectionString);
        return new LocalDatabase(
            database,
            OwnerConnectionString: ConnectionString(server.Host!, server.Port, database, OwnerRole, credentials.OwnerPassword),
            AppConnectionString: ConnectionString(server.Host!, server.Port, database, AppRole, credentials.AppPassword),
            SuperuserConnectionString: new NpgsqlConnectionStringBuilder(superuserConnectionString) { Database = database }.ConnectionString);
    }

    public static string ConnectionString(string host, int port, string database, string user, string password, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Database = database,
            Username = user,
            Password = password,
            Pooling = pooling,
        }.ConnectionString;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}

public sealed record LocalDatabase(string Name, string OwnerConnectionString, string AppConnectionString, string SuperuserConnectionString);
