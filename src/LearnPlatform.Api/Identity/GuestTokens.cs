using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// Opaque guest credentials: 256 random bits, shown once, stored only as SHA-256, bound to one session,
/// expiring at the session's deadline plus a grace (capped), and revocable. An LTI launch gets the same kind of token
/// for its user's session: it then acts as that user, still for that one session only.
/// </summary>
public sealed class GuestTokens(NpgsqlDataSource dataSource, IOptions<GuestTokenOptions> options, TimeProvider time)
{
    private const string Prefix = "lpg_";
    private const int TokenBytes = 32;
    private static readonly int EncodedLength = Prefix.Length + Base64Url.GetEncodedLength(TokenBytes);

    public async Task<IssuedGuestToken> IssueAsync(LearnPlatformDbContext db, Guid sessionId, DateTimeOffset sessionDeadline, CancellationToken ct)
    {
        var tenantId = db.Tenant.TenantId ?? throw new InvalidOperationException("a guest token is issued inside a tenant");
        var now = time.Now();
        var expiresAt = Min(sessionDeadline + options.Value.Grace, now + options.Value.MaxLifetime);
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        db.GuestTokens.Add(new GuestToken
        {
            TenantId = tenantId,
            SessionId = sessionId,
            TokenHash = Hash(token),
            ExpiresAt = expiresAt,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return new IssuedGuestToken(token, expiresAt);
    }

    public Task<int> RevokeAsync(LearnPlatformDbContext db, Guid sessionId, CancellationToken ct)
    {
        var now = time.Now();
        return db.GuestTokens
            .Where(t => t.SessionId == sessionId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>
    /// The token's tenant and session, and the session's candidate (an LTI user's session; null for a guest), or null for a
    /// token that is unknown, expired or revoked.
    /// </summary>
    public async Task<(Guid TenantId, Guid SessionId, string? CandidateUid)?> ResolveAsync(string token, CancellationToken ct)
    {
        if (token.Length != EncodedLength || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var hash = Hash(token);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                TenantMembershipLookup.Command("SELECT set_config('app.guest_token_hash', @p0, false)", Convert.ToHexStringLower(hash)),
                // The token's tenant, so the session row (and its candidate) is visible in the same round trip.
                TenantMembershipLookup.Command(
                    $"SELECT set_config('{TenantConnection.Setting}', coalesce((SELECT tenant_id::text FROM guest_tokens WHERE token_hash = @p0), ''), false)", hash),
                TenantMembershipLookup.Command("""
                    SELECT t.tenant_id, t.session_id, s.candidate_uid FROM guest_tokens t JOIN exam_sessions s ON s.id = t.session_id
                    WHERE t.token_hash = @p0 AND t.revoked_at IS NULL AND t.expires_at > @p1
                    """, hash, time.Now()),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

public sealed record IssuedGuestToken(string Token, DateTimeOffset ExpiresAt);
