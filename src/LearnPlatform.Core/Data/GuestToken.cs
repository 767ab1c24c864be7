namespace LearnPlatform.Core.Data;

/// <summary>A guest's credential for exactly one session. Only the SHA-256 of the token is stored.</summary>
public sealed class GuestToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SessionId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
