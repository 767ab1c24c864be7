using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// The reads that establish who is calling, before the request has a tenant: an Identity Platform tenant's row, a
/// member's role, a guest token, the tenant of a paper a guest names. Each is one round trip on a connection of its own:
/// a batch that sets the one setting a lookup policy reads (for that batch only: set_config's is_local, in the batch's
/// implicit transaction) and then reads. They are the only reads of application data outside the DbContext.
/// </summary>
public sealed class CredentialLookups(NpgsqlDataSource dataSource)
{
    /// <summary>The tenant an Identity Platform tenant name maps to (the firebase_tenant_lookup policy shows that one row).</summary>
    public Task<Guid?> TenantOfFirebaseTenantAsync(string firebaseTenant, CancellationToken ct) =>
        ReadAsync("app.firebase_tenant", firebaseTenant, "SELECT id FROM tenants WHERE firebase_tenant_id = @p0", [firebaseTenant],
            reader => (Guid?)reader.GetGuid(0), ct);

    /// <summary>The user's role in an existing tenant (candidate without a membership row); null when the tenant does not exist.</summary>
    public Task<string?> RoleAsync(Guid tenantId, string uid, CancellationToken ct) =>
        ReadAsync(TenantConnection.Setting, tenantId.ToString(),
            "SELECT coalesce(m.role, @p2) FROM tenants t LEFT JOIN memberships m ON m.tenant_id = t.id AND m.uid = @p0 WHERE t.id = @p1", [uid, tenantId, Roles.Candidate],
            reader => reader.GetString(0), ct);

    /// <summary>The tenant and session of a live guest token, by its hash (the guest_token_lookup policy shows that one row).</summary>
    public Task<(Guid TenantId, Guid SessionId)?> GuestTokenAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct) =>
        ReadAsync("app.guest_token_hash", Convert.ToHexStringLower(tokenHash),
            "SELECT tenant_id, session_id FROM guest_tokens WHERE token_hash = @p0 AND revoked_at IS NULL AND expires_at > @p1", [tokenHash, now],
            reader => ((Guid, Guid)?)(reader.GetGuid(0), reader.GetGuid(1)), ct);

    /// <summary>The tenant of a paper a guest names: its id is the proof that shows that one row (the guest_paper_lookup policy).</summary>
    public Task<Guid?> TenantOfGuestPaperAsync(Guid paperId, CancellationToken ct) =>
        ReadAsync("app.guest_paper_id", paperId.ToString(), "SELECT tenant_id FROM papers WHERE id = @p0", [paperId],
            reader => (Guid?)reader.GetGuid(0), ct);

    private async Task<T?> ReadAsync<T>(string setting, string value, string sql, object[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var lookup = new NpgsqlBatchCommand("SELECT set_config(@p0, @p1, true)");
        lookup.Parameters.AddWithValue("p0", setting);
        lookup.Parameters.AddWithValue("p1", value);
        var query = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < parameters.Length; i++)
        {
            query.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { lookup, query } };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : default;
    }
}
