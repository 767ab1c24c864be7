using System.Security.Claims;
using LearnPlatform.Api.Audit;
using LearnPlatform.Core.Data;

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

    public bool IsAuthorOrAdmin => !IsGuest && Role is Roles.Author or Roles.Admin;

    /// <summary>Where the call came from, as the audit trail stores it (Audit:ClientIp); null outside a request.</summary>
    public string? ClientIp { get; init; }

    /// <summary>Lets an endpoint take the caller as a parameter; only used behind a policy that requires a tenant.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<Caller?>(From(context.User) with { ClientIp = context.AuditClientIp() });

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
