using System.Data.Common;
using Npgsql;

namespace LearnPlatform.Core.Data;

/// <summary>
/// The setting the row-level security policies read. <see cref="TenantConnectionInterceptor"/> sets it on every
/// connection a context opens; these set it on a connection used without a context.
/// </summary>
public static class TenantConnection
{
    public const string Setting = "app.tenant_id";

    private const string Sql = $"SELECT set_config('{Setting}', @tenant, false)";

    /// <summary>
    /// The first command of a batch that writes outside a context: sets the tenant for the batch's transaction only
    /// (set_config's is_local), so it never outlives the batch on a pooled connection.
    /// </summary>
    public static NpgsqlBatchCommand ForTransaction(Guid tenantId) =>
        new($"SELECT set_config('{Setting}', $1, true)") { Parameters = { new() { Value = tenantId.ToString() } } };

    public static async Task SetTenantAsync(DbConnection connection, Guid? tenantId, CancellationToken ct) =>
        await SetTenantAsync(connection, null, tenantId, ct);

    public static async Task SetTenantAsync(DbConnection connection, DbTransaction? transaction, Guid? tenantId, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, tenantId);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static void SetTenant(DbConnection connection, DbTransaction? transaction, Guid? tenantId)
    {
        using var command = Command(connection, transaction, tenantId);
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, Guid? tenantId)
    {
        var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.Transaction = transaction;
        command.Parameters.Add(new NpgsqlParameter("tenant", tenantId?.ToString() ?? string.Empty));
        return command;
    }
}
