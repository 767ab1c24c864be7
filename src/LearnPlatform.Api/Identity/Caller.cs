using System.Security.Claims;

namespace LearnPlatform.Api.Identity;

/// <summary>Who is calling, as established by <see cref="CredentialAuthenticationHandler"/>.</summary>
public sealed record Caller(string Uid, Guid TenantId, string Role, CallerKind Kind, Guid? SessionId)
{
    public const string UidClaim = "uid";
    public const string TenantClaim = "tenant_id";
    public const string RoleClaim = "role";
    public const string KindClaim = "kind";
    public const string SessionClaim = "session_id";

    public bool IsGuest => Kind == CallerKind.Guest;

    public static Caller From(ClaimsPrincipal principal) =>
        new(
            principal.FindFirstValue(UidClaim) ?? throw new InvalidOperationException("no uid claim"),
            Guid.Parse(principal.FindFirstValue(TenantClaim) ?? throw new InvalidOperationException("no tenant claim")),
            principal.FindFirstValue(RoleClaim) ?? throw new InvalidOperationException("no role claim"),
            principal.FindFirstValue(KindClaim) == "guest" ? CallerKind.Guest : CallerKind.User,
            principal.FindFirstValue(SessionClaim) is { } session ? Guid.Parse(session) : null);

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(UidClaim, Uid),
            new(TenantClaim, TenantId.ToString()),
            new(RoleClaim, Role),
            new(KindClaim, IsGuest ? "guest" : "user"),
        };
        if (SessionId is { } session)
        {
            claims.Add(new Claim(SessionClaim, session.ToString()));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, UidClaim, RoleClaim));
    }
}

public enum CallerKind
{
    User,
    Guest,
}
