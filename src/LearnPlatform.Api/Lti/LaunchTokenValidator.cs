using System.Text.Json;
using LearnPlatform.Core.Lti;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.Api.Lti;

/// <summary>An id_token that passed every rule, with the claims the launch uses.</summary>
public sealed record VerifiedLaunch(
    string Subject,
    string MessageType,
    string DeploymentId,
    bool IsInstructor,
    string Nonce,
    Guid? PaperId,
    string? ResourceLinkId,
    string? LineitemUrl,
    string? ReturnUrl,
    string? DeepLinkingData);

/// <summary>Why a launch was refused: the HTTP status, a reason code (logged, audited, returned) and a sentence.</summary>
public sealed record LaunchRejection(int Status, string Reason, string Detail);

/// <summary>
/// The launch's id_token, checked rule by rule (IMS Security Framework 5.1.3 and LTI Core 1.3, 5.3): the signature with
/// the platform's JWKS, iss, aud (and azp), exp and iat with a minute of skew, the nonce this browser's login issued,
/// the LTI version, the message type, the deployment, and what each message type needs.
/// </summary>
public sealed class LaunchTokenValidator(PlatformKeys keys, TimeProvider time)
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);
    private const int MaxTokenLength = 64 * 1024;

    private static readonly string[] InstructorRoles =
    [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        // Short context role names, which LTI 1.3 still allows.
        "Instructor", "ContentDeveloper", "Administrator",
    ];

    public async Task<(VerifiedLaunch? Launch, LaunchRejection? Rejection)> ValidateAsync(
        string idToken, LtiPlatform platform, IReadOnlyCollection<string> deploymentIds, string expectedNonce, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(deploymentIds);
        JsonWebToken token;
        try
        {
            token = idToken.Length <= MaxTokenLength ? new JsonWebToken(idToken) : throw new ArgumentException("too long");
        }
        catch (ArgumentException)
        {
            return Reject(400, "malformed_token", "The id_token is not a JWT.");
        }

        if (await SignatureRejectionAsync(idToken, token, platform, ct) is { } badSignature)
        {
            return (null, badSignature);
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var claims = payload.RootElement;
        if (Str(claims, "iss") != platform.Issuer)
        {
            return Reject(401, "wrong_issuer", "The id_token's issuer is not the platform's.");
        }
        var audiences = Audiences(claims);
        if (!audiences.Contains(platform.ClientId))
        {
            return Reject(401, "wrong_audience", "The id_token is not for this tool's client_id.");
        }
        var azp = Str(claims, "azp");
        if ((audiences.Count > 1 && azp is null) || (claims.TryGetProperty("azp", out _) && azp != platform.ClientId))
        {
            return Reject(401, "wrong_azp", "The id_token's authorized party (azp) is not this tool's client_id.");
        }
        var now = time.GetUtcNow();
        if (Seconds(claims, "exp") is not { } exp || Seconds(claims, "iat") is not { } iat)
        {
            return Reject(401, "missing_lifetime", "The id_token lacks exp or iat.");
        }
        if (DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, 0, 253_402_300_799)) <= now - ClockSkew)
        {
            return Reject(401, "expired", "The id_token has expired.");
        }
        if (DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iat, 0, 253_402_300_799)) > now + ClockSkew)
        {
            return Reject(401, "issued_in_future", "The id_token was issued in the future.");
        }
        if (Str(claims, "nonce") is not { } nonce || nonce != expectedNonce)
        {
            return Reject(401, "nonce_mismatch", "The id_token's nonce is not the one this browser's login asked for.");
        }
        if (Str(claims, LtiClaims.Version) != LtiClaims.Version13)
        {
            return Reject(400, "wrong_version", "Only LTI version 1.3.0 is supported.");
        }
        var messageType = Str(claims, LtiClaims.MessageType);
        if (messageType is not (LtiMessageTypes.ResourceLink or LtiMessageTypes.DeepLinking))
        {
            return Reject(400, "message_type_not_allowed", "Only LtiResourceLinkRequest and LtiDeepLinkingRequest launches are accepted.");
        }
        if (Str(claims, LtiClaims.DeploymentId) is not { } deploymentId || !deploymentIds.Contains(deploymentId))
        {
            return Reject(403, "unknown_deployment", "The deployment is not registered for this platform.");
        }
        if (Str(claims, "sub") is not { Length: > 0 and <= 255 } subject)
        {
            return Reject(400, "missing_subject", "The launch names no user (sub); anonymous launches are not accepted.");
        }
        var instructor = Roles(claims).Any(r => InstructorRoles.Contains(r, StringComparer.Ordinal) || r.StartsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#", StringComparison.Ordinal));
        var launch = new VerifiedLaunch(subject, messageType, deploymentId, instructor, nonce, null, null, null, null, null);
        return messageType == LtiMessageTypes.ResourceLink ? ResourceLink(claims, launch) : DeepLinking(claims, launch);
    }

    private async Task<LaunchRejection?> SignatureRejectionAsync(string idToken, JsonWebToken token, LtiPlatform platform, CancellationToken ct)
    {
        var kid = string.IsNullOrEmpty(token.Kid) ? null : token.Kid;
        var signingKeys = await keys.GetAsync(platform.JwksUrl, kid, ct);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = signingKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            // The rules below check these one by one, to say which one failed.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        return result.IsValid ? null : new LaunchRejection(401, "bad_signature", "The id_token's signature does not verify with the platform's keys.");
    }

    private static (VerifiedLaunch?, LaunchRejection?) ResourceLink(JsonElement claims, VerifiedLaunch launch)
    {
        if (!claims.TryGetProperty(LtiClaims.ResourceLink, out var link) || link.ValueKind != JsonValueKind.Object
            || Str(link, "id") is not { Length: > 0 and <= 255 } linkId)
        {
            return Reject(400, "missing_resource_link", "A resource link launch needs the resource_link claim with an id.");
        }
        if (!claims.TryGetProperty(LtiClaims.Custom, out var custom) || custom.ValueKind != JsonValueKind.Object
            || !Guid.TryParse(Str(custom, LtiClaims.PaperIdParameter), out var paperId))
        {
            return Reject(400, "missing_paper_id", "The resource link's custom parameter paper_id must name a paper (a UUID).");
        }
        string? lineitem = null;
        if (claims.TryGetProperty(LtiClaims.AgsEndpoint, out var ags) && ags.ValueKind == JsonValueKind.Object
            && ags.TryGetProperty("scope", out var scopes) && scopes.ValueKind == JsonValueKind.Array
            && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && s.ValueEquals(LtiClaims.ScoreScope))
            && Str(ags, "lineitem") is { Length: <= 2000 } url && LtiUrls.IsHttpUrl(url))
        {
            lineitem = url;
        }
        return (launch with { PaperId = paperId, ResourceLinkId = linkId, LineitemUrl = lineitem }, null);
    }

    private static (VerifiedLaunch?, LaunchRejection?) DeepLinking(JsonElement claims, VerifiedLaunch launch)
    {
        if (!launch.IsInstructor)
        {
            return Reject(403, "not_instructor", "Only instructors can pick a paper for a link.");
        }
        if (!claims.TryGetProperty(LtiClaims.DeepLinkingSettings, out var settings) || settings.ValueKind != JsonValueKind.Object
            || Str(settings, "deep_link_return_url") is not { Length: <= 2000 } returnUrl || !LtiUrls.IsHttpUrl(returnUrl))
        {
            return Reject(400, "missing_deep_linking_settings", "A deep linking launch needs deep_linking_settings with a deep_link_return_url.");
        }
        if (!settings.TryGetProperty("accept_types", out var types) || types.ValueKind != JsonValueKind.Array
            || !types.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals("ltiResourceLink")))
        {
            return Reject(400, "resource_links_not_accepted", "The platform does not accept ltiResourceLink items, the only kind this tool returns.");
        }
        var data = Str(settings, "data");
        if (data is { Length: > 4096 })
        {
            return Reject(400, "deep_linking_data_too_long", "deep_linking_settings.data may have at most 4096 characters.");
        }
        return (launch with { ReturnUrl = returnUrl, DeepLinkingData = data }, null);
    }

    private static (VerifiedLaunch?, LaunchRejection?) Reject(int status, string reason, string detail) => (null, new LaunchRejection(status, reason, detail));

    private static string? Str(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Seconds(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) ? seconds : null;

    private static List<string> Audiences(JsonElement claims) =>
        claims.TryGetProperty("aud", out var aud)
            ? aud.ValueKind switch
            {
                JsonValueKind.String => [aud.GetString()!],
                JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList(),
                _ => [],
            }
            : [];

    private static IEnumerable<string> Roles(JsonElement claims) =>
        claims.TryGetProperty(LtiClaims.Roles, out var roles) && roles.ValueKind == JsonValueKind.Array
            ? roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!)
            : [];
}
