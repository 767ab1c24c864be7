using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// Opaque guest credentials: 256 random bits, shown once, stored only as SHA-256, bound to one session,
/// expiring at the session's deadline plus a grace (capped), and revocable. An LTI launch gets the same kind of token
/// for its user's session: it then acts as that user, still for that one session only.
/// </summary>
public sealed class GuestTokens(CredentialLookups lookups, IOptions<GuestTokenOptions> options, TimeProvider time)
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
        return await lookups.GuestTokenAsync(Hash(token), time.Now(), ct);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

public sealed record IssuedGuestToken(string Token, DateTimeOffset ExpiresAt);
