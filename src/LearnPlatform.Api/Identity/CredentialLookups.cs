using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// The reads that establish who is calling, before the request has a tenant: an Identity Platform tenant's row, a
/// member's role, a guest token, the tenant of a paper a guest names, the LTI registrations a login names, the launch
/// of an LTI code. Each is one round trip on a connection of its own: a batch that sets the one setting a lookup policy
/// reads (for that batch only: set_config's is_local, in the batch's implicit transaction) and then reads. They are the
/// only reads of application data outside the DbContext.
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

    /// <summary>
    /// The tenant and session of a live guest token, by its hash (the guest_token_lookup policy shows that one row), and
    /// the session's candidate: an LTI user's session has one, a guest's has none (null). The token's tenant is set in
    /// the same batch, so that its session row is visible too.
    /// </summary>
    public async Task<(Guid TenantId, Guid SessionId, string? CandidateUid)?> GuestTokenAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct)
    {
        var tenantOfToken = Command(
            $"SELECT set_config('{TenantConnection.Setting}', coalesce((SELECT tenant_id::text FROM guest_tokens WHERE token_hash = @p0), ''), true)", tokenHash);
        var rows = await ReadRowsAsync([Setting("app.guest_token_hash", Convert.ToHexStringLower(tokenHash)), tenantOfToken], """
            SELECT t.tenant_id, t.session_id, s.candidate_uid FROM guest_tokens t JOIN exam_sessions s ON s.id = t.session_id
            WHERE t.token_hash = @p0 AND t.revoked_at IS NULL AND t.expires_at > @p1
            """, [tokenHash, now], reader => (reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2)), ct);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>The tenant of a paper a guest names: its id is the proof that shows that one row (the guest_paper_lookup policy).</summary>
    public Task<Guid?> TenantOfGuestPaperAsync(Guid paperId, CancellationToken ct) =>
        ReadAsync("app.guest_paper_id", paperId.ToString(), "SELECT tenant_id FROM papers WHERE id = @p0", [paperId],
            reader => (Guid?)reader.GetGuid(0), ct);

    /// <summary>
    /// The LTI registrations an OIDC login can mean, at most two (two are ambiguous): the issuer is the proof that shows
    /// that issuer's platforms and deployments (the lti_issuer_lookup policies). No client or deployment id matches any.
    /// </summary>
    public Task<List<LtiLoginPlatform>> LtiLoginPlatformsAsync(string issuer, string? clientId, string? deploymentId, CancellationToken ct) =>
        ReadRowsAsync([Setting("app.lti_issuer", issuer)], """
            SELECT p.id, p.tenant_id, p.client_id, p.auth_login_url FROM lti_platforms p
            WHERE p.issuer = @p0 AND (@p1 = '' OR p.client_id = @p1)
              AND (@p2 = '' OR EXISTS (SELECT 1 FROM lti_deployments d WHERE d.platform_id = p.id AND d.deployment_id = @p2))
            LIMIT 2
            """, [issuer, clientId ?? "", deploymentId ?? ""],
            reader => new LtiLoginPlatform(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)), ct);

    /// <summary>The launch an LTI code or deep-linking token belongs to: its hash is the proof that shows that one row (the lti_secret_lookup policy).</summary>
    public Task<(Guid LaunchId, Guid TenantId)?> LtiLaunchOfSecretAsync(byte[] secretHash, CancellationToken ct) =>
        ReadAsync("app.lti_secret_hash", Convert.ToHexStringLower(secretHash), "SELECT id, tenant_id FROM lti_launches WHERE secret_hash = @p0", [secretHash],
            reader => ((Guid, Guid)?)(reader.GetGuid(0), reader.GetGuid(1)), ct);

    private async Task<T?> ReadAsync<T>(string setting, string value, string sql, object[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var rows = await ReadRowsAsync([Setting(setting, value)], sql, parameters, read, ct);
        return rows.Count > 0 ? rows[0] : default;
    }

    private async Task<List<T>> ReadRowsAsync<T>(NpgsqlBatchCommand[] settings, string sql, object[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var setting in settings)
        {
            batch.BatchCommands.Add(setting);
        }
        batch.BatchCommands.Add(Command(sql, parameters));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var _ in settings)
        {
            await reader.NextResultAsync(ct);
        }
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private static NpgsqlBatchCommand Setting(string setting, string value) => Command("SELECT set_config(@p0, @p1, true)", setting, value);

    private static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        return command;
    }
}

/// <summary>An LTI registration an OIDC login names: its tenant, and where and as which client the browser is sent.</summary>
public sealed record LtiLoginPlatform(Guid PlatformId, Guid TenantId, string ClientId, string AuthLoginUrl);
