using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using LearnPlatform.Workflows;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.Core.Lti;

/// <summary>A score as Assignment and Grade Services 2.0 has it posted to a line item's scores endpoint.</summary>
public sealed record AgsScore(
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("scoreGiven")] decimal ScoreGiven,
    [property: JsonPropertyName("scoreMaximum")] decimal ScoreMaximum,
    [property: JsonPropertyName("activityProgress")] string ActivityProgress,
    [property: JsonPropertyName("gradingProgress")] string GradingProgress,
    [property: JsonPropertyName("timestamp")] string Timestamp);

/// <summary>
/// Posts scores to platforms: an OAuth2 access token by the client-credentials grant with a JWT client assertion signed
/// by the tool key (scopes lineitem and score), kept until shortly before it expires, then the score. A refused or
/// failing call throws what the workflow engine understands: retry later (429, 5xx, timeouts, a token turned down),
/// or never (any other 4xx, which only a change on the platform can fix).
/// </summary>
public sealed class AgsClient(HttpClient http, LtiToolKey toolKey, TimeProvider time)
{
    public const string HttpClientName = "lti";

    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TokenMargin = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Guid, (string Token, DateTimeOffset ExpiresAt)> tokens = new();

    public async Task PostScoreAsync(LtiPlatform platform, string lineitemUrl, AgsScore score, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var token = await TokenAsync(platform, ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, ScoresUrl(lineitemUrl))
        {
            Content = JsonContent.Create(score, mediaType: new MediaTypeHeaderValue(LtiClaims.ScoreMediaType)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // The platform no longer takes the token (revoked, or its clock disagrees): the next attempt gets a new one.
            tokens.TryRemove(platform.Id, out _);
        }
        ThrowUnlessSuccess(response, "the score");
    }

    /// <summary>The line item's scores endpoint: "/scores" appended to its path, its query kept (AGS 2.0, 3.4).</summary>
    public static Uri ScoresUrl(string lineitemUrl)
    {
        var builder = new UriBuilder(lineitemUrl);
        builder.Path = builder.Path.TrimEnd('/') + "/scores";
        return builder.Uri;
    }

    private async Task<string> TokenAsync(LtiPlatform platform, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (tokens.TryGetValue(platform.Id, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Token;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, platform.TokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = ClientAssertion(platform, now),
                ["scope"] = $"{LtiClaims.LineItemScope} {LtiClaims.ScoreScope}",
            }),
        };
        using var response = await http.SendAsync(request, ct);
        ThrowUnlessSuccess(response, "an access token");
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(ct);
        if (body?.AccessToken is not { Length: > 0 } token)
        {
            throw new NonRetryableActivityException($"the token endpoint of platform {platform.Id} answered without an access_token");
        }
        var lifetime = TimeSpan.FromSeconds(Math.Clamp(body.ExpiresIn ?? 3600, 0, 86_400));
        tokens[platform.Id] = (token, now + lifetime - TokenMargin);
        return token;
    }

    private string ClientAssertion(LtiPlatform platform, DateTimeOffset now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = platform.ClientId,
            Audience = platform.TokenUrl,
            Claims = new Dictionary<string, object> { ["sub"] = platform.ClientId, ["jti"] = Guid.NewGuid().ToString() },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            SigningCredentials = toolKey.SigningCredentials,
        });

    private static void ThrowUnlessSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var message = string.Create(CultureInfo.InvariantCulture, $"the platform answered {status} for {what}");
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.Unauthorized || status >= 500)
        {
            throw new RetryLaterException(message, response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero);
        }
        throw new NonRetryableActivityException(message);
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn);
}
