using LearnPlatform.Api;

namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>Browser origins: the allow-list decides, CORS answers from the same list, clients without an Origin pass.</summary>
public sealed class OriginTests(OriginTests.Fixture fixture) : IClassFixture<OriginTests.Fixture>
{
    private const string Allowed = "https://exams.example.com";

    public sealed class Fixture : AppFixture
    {
        public override async Task InitializeAsync() =>
            App = await TestApp.StartAsync(settings =>
            {
                settings["Cors:AllowedOrigins:0"] = Allowed;
                settings["Cors:AllowedOrigins:1"] = "http://localhost:5173/";
            });
    }

    private static HttpRequestMessage Get(string path, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return request;
    }

    [Theory]
    [InlineData("https://evil.example.com")]
    [InlineData("https://exams.example.com.evil.example")]
    [InlineData("http://exams.example.com")]
    [InlineData("null")]
    public async Task OriginNotOnTheListIsForbiddenWithProblemJson(string origin)
    {
        using var response = await fixture.App.Client.SendAsync(Get("/api/v1/me", origin));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.DoesNotContain(origin, problem.GetRawText(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AllowedOriginPassesAndGetsCorsHeaders()
    {
        using var response = await fixture.App.Client.SendAsync(Get("/api/v1/me", Allowed));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(["ETag", "Retry-After", "Location"], response.Headers.GetValues("Access-Control-Expose-Headers").Single().Split(','));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task OriginIsComparedWithoutTrailingSlashOrCase()
    {
        using var response = await fixture.App.Client.SendAsync(Get("/api/v1/me", "http://LOCALHOST:5173"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RequestWithoutOriginPasses()
    {
        using var response = await fixture.App.Client.SendAsync(Get("/api/v1/me", origin: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task HealthProbesIgnoreOrigin()
    {
        using var response = await fixture.App.Client.SendAsync(Get("/healthz", "https://evil.example.com"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PreflightFromAnAllowedOriginAllowsTheApiHeaders()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/sessions/6f1c0e8e-52f4-4bb1-9f7c-2b1d7e0c1a55/responses/q1");
        request.Headers.Add("Origin", Allowed);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, x-guest-token, x-api-key, if-match, content-type");

        using var response = await fixture.App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PUT", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        var headers = response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        foreach (var header in new[] { "authorization", "x-guest-token", "x-api-key", "if-match", "content-type" })
        {
            Assert.Contains(header, headers, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PreflightFromAnotherOriginIsForbidden()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/exams");
        request.Headers.Add("Origin", "https://evil.example.com");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await fixture.App.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://*.example.com")]
    [InlineData("https://exams.example.com/app")]
    [InlineData("exams.example.com")]
    public async Task WildcardOrMalformedOriginIsRefusedAtStartup(string origin)
    {
        await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings => settings["Cors:AllowedOrigins:0"] = origin));
    }
}
