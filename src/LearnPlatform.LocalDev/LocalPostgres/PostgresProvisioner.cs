using System.Text.RegularExpressions;
using Npgsql;

namespace LearnPlatform.LocalDev.LocalPostgres;

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

    /// <summary>
    /// Installs pg_partman (Debian: postgresql-15-partman) into <paramref name="database"/> in schema partman, as a
    /// Cloud SQL operator would, and lets the owner role use it; false, and nothing changes, when the server lacks it.
    /// Run before migrating: the Telemetry migration hands the event partitions to pg_partman only if it is there.
    /// </summary>
    public async Task<bool> EnsurePartmanAsync(LocalDatabase database, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(superuserConnectionString) { Database = database.Name }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var available = new NpgsqlCommand("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_partman'", connection);
        if (await available.ExecuteScalarAsync(ct) is null)
        {
            return false;
        }
        await using var install = new NpgsqlCommand($"""
            CREATE SCHEMA IF NOT EXISTS partman;
            CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
            GRANT ALL ON SCHEMA partman TO {OwnerRole};
            GRANT ALL ON ALL TABLES IN SCHEMA partman TO {OwnerRole};
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO {OwnerRole};
            GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO {OwnerRole};
            """, connection);
        await install.ExecuteNonQueryAsync(ct);
        return true;
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
