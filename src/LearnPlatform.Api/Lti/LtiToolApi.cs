using System.Buffers.Text;
using System.Security.Cryptography;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Api.Lti;

/// <summary>
/// The tool's browser-facing endpoints: its public keys, the OIDC third-party login a platform starts, and the launch
/// the platform posts back. A verified launch sends the browser to the frontend with a one-time code.
/// </summary>
public static partial class LtiToolApi
{
    /// <summary>How long the frontend has to exchange a launch's code.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Launch rows (and so the nonces that make id_tokens single-use) are kept this long, far past any id_token's lifetime.</summary>
    private static readonly TimeSpan LaunchRetention = TimeSpan.FromDays(1);

    private static readonly string[] RequiredLoginParameters = ["iss", "login_hint", "target_link_uri"];

    internal static IResult Jwks(LtiToolKey toolKey, IOptions<LtiOptions> options, HttpResponse response)
    {
        if (!options.Value.IsEnabled)
        {
            return NotConfigured();
        }
        response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Json(new { keys = new[] { toolKey.PublicJwk } });
    }

    /// <summary>OIDC login initiation: find the platform, remember state and nonce in this browser, send it to the platform.</summary>
    internal static async Task<IResult> LoginAsync(HttpContext http, CredentialLookups lookups, StateCookie stateCookie, IOptions<LtiOptions> options, TimeProvider time, ILogger<LtiLogin> logger, CancellationToken ct)
    {
        if (!options.Value.IsEnabled)
        {
            return NotConfigured();
        }
        var request = http.Request;
        if (HttpMethods.IsPost(request.Method) && !request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type", detail: "Send the login as application/x-www-form-urlencoded.");
        }
        var parameters = HttpMethods.IsPost(request.Method) ? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>)await request.ReadFormAsync(ct) : request.Query;
        var login = parameters.ToDictionary(p => p.Key, p => p.Value.Count == 1 ? p.Value[0] : null, StringComparer.Ordinal);
        if (RequiredLoginParameters.Where(name => Param(login, name) is null).ToArray() is { Length: > 0 } missing)
        {
            return LoginRejected(logger, "missing_parameters", missing, "iss, login_hint and target_link_uri are required.");
        }
        var (issuer, loginHint) = (Param(login, "iss")!, Param(login, "login_hint")!);
        var platforms = await lookups.LtiLoginPlatformsAsync(issuer, Param(login, "client_id"), Param(login, "lti_deployment_id"), ct);
        if (platforms.Count == 0)
        {
            return LoginRejected(logger, "unknown_platform", ["iss"], "No platform is registered here for this issuer (client_id, deployment).");
        }
        if (platforms.Count > 1)
        {
            return LoginRejected(logger, "ambiguous_platform", ["client_id", "lti_deployment_id"], "Several registrations match this issuer; the login must name client_id and lti_deployment_id.");
        }
        var (platformId, tenantId, platformClientId, authLoginUrl) = platforms[0];

        var state = RandomToken();
        var nonce = RandomToken();
        stateCookie.Write(http.Response, new LoginState(state, nonce, tenantId, platformId, (time.GetUtcNow() + StateCookie.Lifetime).ToUnixTimeSeconds()));
        var query = new Dictionary<string, string?>
        {
            ["scope"] = "openid",
            ["response_type"] = "id_token",
            ["response_mode"] = "form_post",
            ["prompt"] = "none",
            ["client_id"] = platformClientId,
            ["redirect_uri"] = LtiUrls.LaunchUrl(options.Value, request),
            ["login_hint"] = loginHint,
            ["state"] = state,
            ["nonce"] = nonce,
        };
        if (Param(login, "lti_message_hint") is { } messageHint)
        {
            query["lti_message_hint"] = messageHint;
        }
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(QueryHelpers.AddQueryString(authLoginUrl, query));
    }

    /// <summary>The platform's form post: verify state, id_token and nonce, map the user, and hand the frontend a code.</summary>
    internal static async Task<IResult> LaunchAsync(
        HttpContext http, LearnPlatformDbContext db, StateCookie stateCookie, LaunchTokenValidator validator, SecurityAudit audit,
        IOptions<LtiOptions> options, TimeProvider time, ILogger<LtiLogin> logger, CancellationToken ct)
    {
        if (!options.Value.IsEnabled)
        {
            return NotConfigured();
        }
        http.Response.Headers.CacheControl = "no-store";
        if (!http.Request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type", detail: "The platform posts the launch as application/x-www-form-urlencoded.");
        }
        var form = await http.Request.ReadFormAsync(ct);
        var idToken = form["id_token"] is [{ Length: > 0 } token] ? token : null;
        var state = form["state"] is [{ Length: > 0 and <= 100 } value] && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? value : null;
        if (idToken is null || state is null)
        {
            var missing = new[] { ("id_token", idToken), ("state", state) }.Where(p => p.Item2 is null).Select(p => p.Item1).ToArray();
            return await RejectAsync(new LaunchRejection(400, "missing_parameters", "The launch needs id_token and state."), missing);
        }
        var (login, cookieRejection) = stateCookie.Read(http.Request, state);
        StateCookie.Delete(http.Response, state);
        if (login is null)
        {
            return await RejectAsync(new LaunchRejection(401, cookieRejection!, "The launch's state does not match a login started in this browser (or it expired)."));
        }

        db.Tenant.TenantId = login.TenantId;
        var platform = await db.LtiPlatforms.SingleOrDefaultAsync(p => p.Id == login.PlatformId && p.TenantId == login.TenantId, ct);
        if (platform is null)
        {
            return await RejectAsync(new LaunchRejection(401, "unknown_platform", "The platform of this login is no longer registered."));
        }
        var deployments = await db.LtiDeployments.Where(d => d.PlatformId == platform.Id && d.TenantId == platform.TenantId).Select(d => d.DeploymentId).ToListAsync(ct);
        var (launch, rejection) = await validator.ValidateAsync(idToken, platform, deployments, login.Nonce, ct);
        if (launch is null)
        {
            return await RejectAsync(rejection!);
        }
        if (launch.PaperId is { } paperId && !await PublishedAsync(db, platform.TenantId, paperId, ct))
        {
            return await RejectAsync(new LaunchRejection(404, "unknown_paper", "The resource link's paper_id names no published paper of this tenant."));
        }

        var now = time.Now();
        var user = await LtiUsers.MapAsync(db, platform, launch.Subject, now, ct);
        var code = RandomToken();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LtiLaunches.Where(l => l.TenantId == platform.TenantId && l.CreatedAt < now - LaunchRetention).ExecuteDeleteAsync(ct);
        var role = launch.IsInstructor ? Roles.Author : Roles.Candidate;
        db.LtiLaunches.Add(new LtiLaunch
        {
            TenantId = platform.TenantId,
            PlatformId = platform.Id,
            Uid = user.Uid,
            Role = role,
            MessageType = launch.MessageType,
            Nonce = launch.Nonce,
            DeploymentId = launch.DeploymentId,
            PaperId = launch.PaperId,
            ResourceLinkId = launch.ResourceLinkId,
            LineitemUrl = launch.LineitemUrl,
            ReturnUrl = launch.ReturnUrl,
            DeepLinkingData = launch.DeepLinkingData,
            SecretHash = SecretHash(code),
            SecretKind = LtiSecretKinds.Code,
            SecretExpiresAt = now + CodeLifetime,
            CreatedAt = now,
        });
        var caller = new Caller(user.Uid, platform.TenantId, role, CallerKind.User, null) { ClientIp = http.AuditClientIp() };
        AuditTrail.Record(db, caller, now, "lti.launch", launch.PaperId is { } paper ? $"paper/{paper}" : $"lti_platform/{platform.Id}",
            new { platform_id = platform.Id, message_type = launch.MessageType, role });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "lti_launches_nonce_key" })
        {
            return await RejectAsync(new LaunchRejection(401, "replayed_nonce", "This id_token was already used."));
        }
        await transaction.CommitAsync(ct);
        LogLaunched(logger, platform.Id, launch.MessageType);
        http.Response.Headers.Location = QueryHelpers.AddQueryString(options.Value.FrontendUrl!, "lti_code", code);
        return TypedResults.StatusCode(StatusCodes.Status303SeeOther);

        // A 400 is about the id_token unless named otherwise.
        async Task<IResult> RejectAsync(LaunchRejection rejection, string[]? fields = null)
        {
            LogLaunchRejected(logger, rejection.Reason);
            await audit.SignInFailedAsync(http, $"lti_{rejection.Reason}");
            if (rejection.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"learnplatform\"";
            }
            return Problem(rejection.Status, rejection.Reason, fields ?? ["id_token"], rejection.Detail);
        }
    }

    public static byte[] SecretHash(string secret) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret));

    internal static ProblemHttpResult NotConfigured() =>
        TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: "LTI is not configured on this service.");

    internal static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static ProblemHttpResult LoginRejected(ILogger logger, string reason, string[] fields, string detail)
    {
        LogLoginRejected(logger, reason);
        return Problem(StatusCodes.Status400BadRequest, reason, fields, detail);
    }

    /// <summary>A refusal with its reason code; a 400 names the parameters at fault, like every 400 (<see cref="Problems.Invalid"/>).</summary>
    private static ProblemHttpResult Problem(int status, string reason, string[] fields, string detail)
    {
        var problem = status == StatusCodes.Status400BadRequest
            ? Problems.Invalid(fields.ToDictionary(field => field, _ => new[] { detail }), detail)
            : TypedResults.Problem(statusCode: status, detail: detail);
        problem.ProblemDetails.Extensions["reason"] = reason;
        return problem;
    }

    private static string? Param(Dictionary<string, string?> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value is { Length: > 0 and <= 4096 } ? value : null;

    private static Task<bool> PublishedAsync(LearnPlatformDbContext db, Guid tenantId, Guid paperId, CancellationToken ct) =>
        db.Papers.AnyAsync(p => p.Id == paperId && p.TenantId == tenantId && p.PublishedVersion != null, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "LTI login refused: {Reason}")]
    private static partial void LogLoginRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "LTI launch refused: {Reason}")]
    private static partial void LogLaunchRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "LTI launch from platform {PlatformId}: {MessageType}")]
    private static partial void LogLaunched(ILogger logger, Guid platformId, string messageType);
}

/// <summary>The log category of the LTI login and launch.</summary>
public sealed class LtiLogin;
