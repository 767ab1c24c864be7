using Microsoft.AspNetCore.WebUtilities;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>What the OIDC login answered: where it sends the browser, and the state cookie it set.</summary>
public sealed record LoginRedirect(Uri Location, IReadOnlyDictionary<string, string> Query, string Cookie)
{
    public string State => Query["state"];
    public string Nonce => Query["nonce"];
}

/// <summary>The browser's part of an LTI launch (no cookie jar: the state cookie is Secure, and the tests speak http), and the frontend's.</summary>
public static class LtiCalls
{
    public static async Task<Guid> RegisterPlatformAsync(this HttpClient admin, PlatformStandIn platform, string deploymentId = PlatformStandIn.DeploymentId)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/lti/platforms", PlatformBody(platform, deploymentId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Id();
    }

    public static object PlatformBody(PlatformStandIn platform, string deploymentId = PlatformStandIn.DeploymentId, string issuer = PlatformStandIn.Issuer) => new
    {
        issuer,
        client_id = PlatformStandIn.ClientId,
        deployment_ids = new[] { deploymentId },
        auth_login_url = platform.AuthUrl,
        token_url = platform.TokenUrl,
        jwks_url = platform.JwksUrl,
    };

    public static HttpClient Browser(this TestApp app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.BaseAddress };

    public static async Task<LoginRedirect> LoginAsync(this TestApp app, string loginHint, string messageHint, string? deploymentId = PlatformStandIn.DeploymentId)
    {
        var query = new Dictionary<string, string?>
        {
            ["iss"] = PlatformStandIn.Issuer,
            ["login_hint"] = loginHint,
            ["target_link_uri"] = new Uri(app.BaseAddress, "/lti/launch").ToString(),
            ["lti_message_hint"] = messageHint,
            ["client_id"] = PlatformStandIn.ClientId,
            ["lti_deployment_id"] = deploymentId,
        };
        using var browser = app.Browser();
        using var response = await browser.GetAsync(QueryHelpers.AddQueryString("/lti/login", query));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var location = response.Headers.Location!;
        var parsed = QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        return new LoginRedirect(location, parsed, cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]);
    }

    public static async Task<HttpResponseMessage> PostLaunchAsync(this TestApp app, string idToken, string state, string? cookie)
    {
        using var browser = app.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/lti/launch")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["id_token"] = idToken, ["state"] = state }),
        };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return await browser.SendAsync(request);
    }

    /// <summary>A whole launch as the platform makes it: login, the platform's authorization answer, the form post.</summary>
    public static async Task<HttpResponseMessage> LaunchThroughPlatformAsync(this TestApp app, PlatformStandIn platform, Dictionary<string, object> claims)
    {
        var hint = Guid.NewGuid().ToString("N");
        platform.PendingLaunches[hint] = claims;
        var login = await app.LoginAsync((string)claims["sub"], hint);
        using var browser = new HttpClient();
        var answer = await browser.GetFromJsonAsync<JsonElement>(login.Location);
        Assert.Equal(new Uri(app.BaseAddress, "/lti/launch").ToString(), answer.GetProperty("action").GetString());
        return await app.PostLaunchAsync(answer.GetProperty("id_token").GetString()!, answer.GetProperty("state").GetString()!, login.Cookie);
    }

    /// <summary>The one-time code a verified launch hands the frontend.</summary>
    public static string CodeOf(HttpResponseMessage launch)
    {
        Assert.Equal(HttpStatusCode.SeeOther, launch.StatusCode);
        var location = launch.Headers.Location!;
        Assert.StartsWith(LtiFixture.FrontendUrl + "?", location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query)["lti_code"].ToString();
    }

    public static Task<HttpResponseMessage> ExchangeAsync(this TestApp app, string code) =>
        app.Client.PostAsJsonAsync("/api/v1/lti/exchange", new { code });

    public static async Task<JsonElement> ExchangeOkAsync(this TestApp app, string code)
    {
        using var response = await app.ExchangeAsync(code);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Launches a resource link for <paramref name="subject"/> and returns the frontend's exchange answer.</summary>
    public static async Task<JsonElement> LaunchSessionAsync(this LtiFixture lti, string subject, Guid paper, string? lineItem = null)
    {
        using var launch = await lti.App.LaunchThroughPlatformAsync(lti.Platform, PlatformStandIn.ResourceLinkClaims(subject, paper, lineItem));
        return await lti.App.ExchangeOkAsync(CodeOf(launch));
    }

    public static HttpClient SessionClient(this TestApp app, JsonElement exchange) =>
        app.ClientWithGuestToken(exchange.GetProperty("session_token").GetString()!);

    public static async Task<JsonElement> ProblemOfAsync(this HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var problem = await response.AssertProblemAsync(status);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        if (status == HttpStatusCode.BadRequest)
        {
            // Like every 400: the parameters at fault, per field.
            Assert.NotEmpty(problem.GetProperty("errors").EnumerateObject());
        }
        return problem;
    }
}
