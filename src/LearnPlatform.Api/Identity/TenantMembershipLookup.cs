using LearnPlatform.Api.Identity.Firebase;
using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// Maps a verified Firebase user to a tenant and a role. It runs on every request, so it uses one
/// batched round trip on the raw data source rather than a DbContext (which would need three).
/// </summary>
public sealed class TenantMembershipLookup(NpgsqlDataSource dataSource)
{
    public async Task<(Guid TenantId, string Role)?> FindAsync(FirebaseUser user, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Guid tenantId;
        if (user.FirebaseTenant is { } firebaseTenant)
        {
            await using var byName = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    Command("SELECT set_config('app.firebase_tenant', @p0, false)", firebaseTenant),
                    Command("SELECT id FROM tenants WHERE firebase_tenant_id = @p0", firebaseTenant),
                },
            };
            await using var reader = await byName.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            tenantId = reader.GetGuid(0);
        }
        else if (Guid.TryParse(user.TenantIdClaim, out var claimed))
        {
            tenantId = claimed;
        }
        else
        {
            return null;
        }

        await using var membership = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command($"SELECT set_config('{TenantConnection.Setting}', @p0, false)", tenantId.ToString()),
                Command("SELECT m.role FROM tenants t LEFT JOIN memberships m ON m.tenant_id = t.id AND m.uid = @p0 WHERE t.id = @p1", user.Uid, tenantId),
            },
        };
        await using var rows = await membership.ExecuteReaderAsync(ct);
        await rows.NextResultAsync(ct);
        if (!await rows.ReadAsync(ct))
        {
            return null;
        }
        return (tenantId, rows.IsDBNull(0) ? Roles.Candidate : rows.GetString(0));
    }

    internal static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        return command;
    }
}
