using System.Collections.Concurrent;
using System.Security.Cryptography;
using LearnPlatform.Core.Lti;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>
/// An LMS as the tool meets it, on 127.0.0.1: it signs id_tokens with a key generated for the run and serves its JWKS,
/// answers the OIDC authorization request, issues OAuth2 tokens to client assertions it verifies with the tool's own
/// JWKS, records the scores posted to its line items, and accepts deep-linking responses (verified the same way).
/// </summary>
public sealed class PlatformStandIn : IAsyncDisposable
{
    public const string Issuer = "https://lms.example.test";
    public const string ClientId = "10000000000042";
    public const string DeploymentId = "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb";
    public const string Kid = "platform-key-1";

    private readonly WebApplication app;
    private readonly RSA key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, bool> accessTokens = new();
    private int failScores;

    private PlatformStandIn(WebApplication app) => this.app = app;

    public Uri BaseUri { get; private set; } = null!;
    public string AuthUrl => new Uri(BaseUri, "auth").ToString();
    public string TokenUrl => new Uri(BaseUri, "token").ToString();
    public string JwksUrl => new Uri(BaseUri, "jwks").ToString();
    public string DeepLinkReturnUrl => new Uri(BaseUri, "deep-links").ToString();
    public string LineItemUrl(string id) => new Uri(BaseUri, $"lineitems/{id}").ToString();

    /// <summary>Where the tool's JWKS is, to verify its client assertions and deep-linking responses.</summary>
    public Uri? ToolJwksUrl { get; set; }

    public ConcurrentQueue<RecordedScore> Scores { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> AuthRequests { get; } = new();

    /// <summary>Claims of the launches the platform makes, keyed by the lti_message_hint its login initiation carried.</summary>
    public ConcurrentDictionary<string, Dictionary<string, object>> PendingLaunches { get; } = new();

    /// <summary>The next <paramref name="count"/> score posts answer 500.</summary>
    public void FailNextScores(int count) => Volatile.Write(ref failScores, count);

    public static async Task<PlatformStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var platform = new PlatformStandIn(app);
        app.MapGet("/jwks", () => Results.Json(new { keys = new[] { platform.PublicJwk() } }));
        app.MapGet("/auth", platform.Authorize);
        app.MapPost("/token", platform.TokenAsync);
        app.MapPost("/lineitems/{id}/scores", platform.ScoreAsync);
        app.MapPost("/deep-links", platform.DeepLinkAsync);
        await app.StartAsync();
        platform.BaseUri = new Uri(app.Urls.Single() + "/");
        return platform;
    }

    /// <summary>The claims of a resource link launch of <paramref name="paperId"/> by <paramref name="subject"/>.</summary>
    public static Dictionary<string, object> ResourceLinkClaims(string subject, Guid paperId, string? lineItemUrl = null, bool instructor = false)
    {
        var claims = BaseClaims(subject, LtiMessageTypes.ResourceLink, instructor);
        claims[LtiClaims.ResourceLink] = new Dictionary<string, object> { ["id"] = $"link-{paperId:N}", ["title"] = "Quiz" };
        claims[LtiClaims.Custom] = new Dictionary<string, object> { ["paper_id"] = paperId.ToString() };
        if (lineItemUrl is not null)
        {
            claims[LtiClaims.AgsEndpoint] = new Dictionary<string, object>
            {
                ["scope"] = new[] { LtiClaims.LineItemScope, "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly", LtiClaims.ScoreScope },
                ["lineitem"] = lineItemUrl,
            };
        }
        return claims;
    }

    public Dictionary<string, object> DeepLinkingClaims(string subject, bool instructor = true)
    {
        var claims = BaseClaims(subject, LtiMessageTypes.DeepLinking, instructor);
        claims[LtiClaims.DeepLinkingSettings] = new Dictionary<string, object>
        {
            ["deep_link_return_url"] = DeepLinkReturnUrl,
            ["accept_types"] = new[] { "ltiResourceLink" },
            ["accept_presentation_document_targets"] = new[] { "iframe", "window" },
            ["accept_multiple"] = false,
            ["data"] = "platform-opaque-data",
        };
        return claims;
    }

    private static Dictionary<string, object> BaseClaims(string subject, string messageType, bool instructor) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = ClientId,
        ["sub"] = subject,
        [LtiClaims.MessageType] = messageType,
        [LtiClaims.Version] = LtiClaims.Version13,
        [LtiClaims.DeploymentId] = DeploymentId,
        [LtiClaims.TargetLinkUri] = "https://tool.example.test/lti/launch",
        [LtiClaims.Roles] = instructor
            ? new[] { "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" }
            : new[] { "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner" },
    };

    /// <summary>An id_token with these claims and the nonce, valid for 5 minutes unless the claims say otherwise.</summary>
    public string IdToken(IDictionary<string, object> claims, string nonce, RSA? signingKey = null, string kid = Kid)
    {
        var now = DateTimeOffset.UtcNow;
        var all = new Dictionary<string, object>(claims);
        all.TryAdd("nonce", nonce);
        all.TryAdd("iat", now.ToUnixTimeSeconds());
        all.TryAdd("exp", now.AddMinutes(5).ToUnixTimeSeconds());
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = all,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey ?? key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The OIDC authorization endpoint: checks the tool's request and answers the form post a browser would make.</summary>
    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        AuthRequests.Enqueue(query);
        var expected = new Dictionary<string, string> { ["scope"] = "openid", ["response_type"] = "id_token", ["response_mode"] = "form_post", ["prompt"] = "none", ["client_id"] = ClientId };
        if (expected.Any(e => query.GetValueOrDefault(e.Key) != e.Value)
            || !query.TryGetValue("nonce", out var nonce) || !query.TryGetValue("state", out var state) || !query.TryGetValue("redirect_uri", out var redirectUri))
        {
            return Results.BadRequest(new { error = "invalid_request" });
        }
        if (!PendingLaunches.TryGetValue(query.GetValueOrDefault("lti_message_hint") ?? "", out var claims) || query.GetValueOrDefault("login_hint") != (string)claims["sub"])
        {
            return Results.BadRequest(new { error = "login_required" });
        }
        return Results.Json(new { action = redirectUri, id_token = IdToken(claims, nonce), state });
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        TokenRequests.Enqueue(form);
        if (form.GetValueOrDefault("grant_type") != "client_credentials"
            || form.GetValueOrDefault("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            || !(form.GetValueOrDefault("scope") ?? "").Split(' ').ToHashSet().IsSupersetOf([LtiClaims.LineItemScope, LtiClaims.ScoreScope]))
        {
            return Results.BadRequest(new { error = "invalid_request" });
        }
        var assertion = await VerifyToolJwtAsync(form.GetValueOrDefault("client_assertion") ?? "", audience: TokenUrl, issuer: ClientId);
        if (assertion is null || assertion.Subject != ClientId)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        accessTokens[token] = true;
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = 3600, scope = form["scope"] });
    }

    private async Task<IResult> ScoreAsync(string id, HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is not { } authorization || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !accessTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            return Results.Unauthorized();
        }
        if (request.ContentType?.StartsWith(LtiClaims.ScoreMediaType, StringComparison.Ordinal) != true)
        {
            return Results.StatusCode(415);
        }
        if (Interlocked.Decrement(ref failScores) >= 0)
        {
            return Results.StatusCode(500);
        }
        Scores.Enqueue(new RecordedScore(id, await JsonSerializer.DeserializeAsync<JsonElement>(request.Body)));
        return Results.Ok();
    }

    /// <summary>The deep-linking return URL: verifies the tool's response and answers the link the platform would create.</summary>
    private async Task<IResult> DeepLinkAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var jwt = await VerifyToolJwtAsync(form["JWT"].ToString(), audience: Issuer, issuer: ClientId);
        if (jwt is null)
        {
            return Results.BadRequest(new { error = "invalid_jwt" });
        }
        return Results.Json(JsonSerializer.Deserialize<JsonElement>(Base64UrlEncoder.Decode(jwt.EncodedPayload)));
    }

    /// <summary>A JWT the tool signed, checked against the tool's JWKS, fetched the way a platform would.</summary>
    private async Task<JsonWebToken?> VerifyToolJwtAsync(string token, string audience, string issuer)
    {
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(ToolJwksUrl ?? throw new InvalidOperationException("ToolJwksUrl is not set")));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAudience = audience,
            ValidIssuer = issuer,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        return result.IsValid ? (JsonWebToken)result.SecurityToken : null;
    }

    private Dictionary<string, string> PublicJwk()
    {
        var parameters = key.ExportParameters(false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["alg"] = "RS256", ["use"] = "sig", ["kid"] = Kid,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        key.Dispose();
    }
}

public sealed record RecordedScore(string LineItem, JsonElement Body);
