using Microsoft.EntityFrameworkCore;
using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Applies the workflow engine's schema and then the application's migrations with the owner's connection, then grants the application role exactly
/// <see cref="AppRoleGrants"/>. Refuses an application role that could bypass row-level security.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(string ownerConnectionString, string appConnectionString, CancellationToken ct = default)
    {
        var appRole = new NpgsqlConnectionStringBuilder(appConnectionString).Username
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres has no Username.");

        await using var dataSource = NpgsqlDataSource.Create(ownerConnectionString);
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await EnsureAppRoleIsRestrictedAsync(connection, appRole, ct);
        }

        // The engine's tables first: the application's migrations may refer to them (a tenant key on runs).
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await WorkflowSchema.MigrateAsync(connection, ct);
        }

        await using (var db = DataServiceCollectionExtensions.CreateMigrationContext(dataSource))
        {
            await db.Database.MigrateAsync(ct);
        }

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await GrantAsync(connection, appRole, ct);
        }
    }

    private static async Task EnsureAppRoleIsRestrictedAsync(NpgsqlConnection connection, string appRole, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT rolsuper, rolbypassrls, rolname = current_user FROM pg_roles WHERE rolname = @role", connection);
        command.Parameters.AddWithValue("role", appRole);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException($"The application role '{appRole}' does not exist; create it before running migrate.");
        }
        if (reader.GetBoolean(0) || reader.GetBoolean(1) || reader.GetBoolean(2))
        {
            throw new InvalidOperationException(
                $"The application role '{appRole}' is a superuser, has BYPASSRLS, or owns the tables; row-level security would not apply to it. Use a separate, unprivileged role.");
        }
    }

    private static async Task GrantAsync(NpgsqlConnection connection, string appRole, CancellationToken ct)
    {
        var role = Quote(appRole);
        var statements = new List<string>
        {
            $"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            $"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            $"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {role}",
            $"GRANT USAGE ON SCHEMA public TO {role}",
        };
        statements.AddRange(AppRoleGrants.Tables.Select(t => $"GRANT {t.Value} ON TABLE {Quote(t.Key)} TO {role}"));
        statements.AddRange(AppRoleGrants.Functions.Select(f => $"GRANT EXECUTE ON FUNCTION {Quote(f.Key)}({f.Value}) TO {role}"));
        await using var command = new NpgsqlCommand(string.Join(";\n", statements), connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
