using System.Data.Common;
using Npgsql;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Puts the tenant on a PostgreSQL connection for the row-level security policies to read.
/// It is always set, to an empty value when there is no tenant, so nothing can leak from an
/// earlier user of a pooled connection even if the pool's reset (DISCARD ALL) were turned off.
/// </summary>
public static class TenantConnection
{
    public const string Setting = "app.tenant_id";

    public static async Task SetTenantAsync(DbConnection connection, Guid? tenantId, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT set_config('app.tenant_id', @tenant, false)";
        command.Parameters.Add(new NpgsqlParameter("tenant", tenantId?.ToString() ?? string.Empty));
        await command.ExecuteNonQueryAsync(ct);
    }

    public static void SetTenant(DbConnection connection, Guid? tenantId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT set_config('app.tenant_id', @tenant, false)";
        command.Parameters.Add(new NpgsqlParameter("tenant", tenantId?.ToString() ?? string.Empty));
        command.ExecuteNonQuery();
    }
}
