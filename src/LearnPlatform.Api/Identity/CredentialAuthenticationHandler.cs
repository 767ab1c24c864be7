using System.Security.Claims;
using System.Text.Encodings.Web;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Identity.Firebase;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// One scheme for both credentials the API accepts: a Firebase ID token (Authorization: Bearer) or a
/// guest token (X-Guest-Token). A verified caller gets a principal and the request's tenant scope.
/// Rejections are logged and audited by reason class only; the credential itself never reaches a log or the trail.
/// </summary>
public sealed partial class CredentialAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    FirebaseTokenVerifier firebase,
    TenantMembershipLookup memberships,
    GuestTokens guestTokens,
    TenantScope tenantScope,
    SecurityAudit audit,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "LearnPlatform";
    public const string GuestTokenHeader = "X-Guest-Token";
    private const string Challenge = "Bearer realm=\"learnplatform\"";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var hasBearer = Request.Headers.Authorization.Count > 0;
        var hasGuest = Request.Headers.TryGetValue(GuestTokenHeader, out var guestHeader);
        if (!hasBearer && !hasGuest)
        {
            return AuthenticateResult.NoResult();
        }
        if (hasBearer && hasGuest)
        {
            return await RejectAsync("ambiguous_credentials");
        }
        return hasGuest
            ? await AuthenticateGuestAsync(guestHeader.Count == 1 ? guestHeader[0] : null)
            : await AuthenticateUserAsync();
    }

    private async Task<AuthenticateResult> AuthenticateUserAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return await RejectAsync("malformed_authorization");
        }

        var result = await firebase.VerifyAsync(value["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (result.User is not { } user)
        {
            return await RejectAsync(ReasonClass(result.Rejection));
        }

        var membership = await memberships.FindAsync(user, Context.RequestAborted);
        if (membership is not { } found)
        {
            // Verified, but no tenant here: authenticated without a tenant, so authorization answers 403.
            await audit.SignInFailedAsync(Context, "unknown_tenant", user.Uid);
            var tenantless = new ClaimsIdentity([new Claim(Caller.UidClaim, user.Uid), new Claim(Caller.KindClaim, "user")], SchemeName);
            return Success(new ClaimsPrincipal(tenantless));
        }

        tenantScope.TenantId = found.TenantId;
        return Success(new Caller(user.Uid, found.TenantId, found.Role, CallerKind.User, null).ToPrincipal(SchemeName));
    }

    private async Task<AuthenticateResult> AuthenticateGuestAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || await guestTokens.ResolveAsync(token, Context.RequestAborted) is not { } guest)
        {
            return await RejectAsync("invalid_guest_token");
        }
        tenantScope.TenantId = guest.TenantId;
        // Scoped to its one session either way; an LTI user's token acts as that user (their uid in the audit trail).
        var caller = new Caller(guest.CandidateUid ?? $"guest:{guest.SessionId}", guest.TenantId, "guest", CallerKind.Guest, guest.SessionId);
        return Success(caller.ToPrincipal(SchemeName));
    }

    private async Task<AuthenticateResult> RejectAsync(string reason)
    {
        LogRejected(Logger, reason);
        await audit.SignInFailedAsync(Context, reason);
        return AuthenticateResult.Fail(reason);
    }

    /// <summary>expired, bad_signature, wrong_audience, ...: the class of the failure, never anything from the token.</summary>
    private static string ReasonClass(TokenRejection? rejection) =>
        rejection is { } r ? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(r.ToString()) : "rejected";

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    private static AuthenticateResult Success(ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Challenge;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Unauthorized", Detail = "A valid credential is required." },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 403, Title = "Forbidden", Detail = "You are not allowed to do this." },
        });
    }
}
