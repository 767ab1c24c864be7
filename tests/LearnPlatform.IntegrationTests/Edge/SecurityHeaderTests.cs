namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>Security headers on every answer the application gives, successes and errors alike.</summary>
public sealed class SecurityHeaderTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static TheoryData<string, string, HttpStatusCode> Answers => new()
    {
        { "GET", "/healthz", HttpStatusCode.OK },
        { "GET", "/readyz", HttpStatusCode.OK },
        { "GET", "/nowhere", HttpStatusCode.NotFound },
        { "GET", "/api/v1/me", HttpStatusCode.Unauthorized },
        { "DELETE", "/healthz", HttpStatusCode.MethodNotAllowed },
        { "POST", "/api/v1/guest-sessions", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task EveryAnswerCarriesTheSecurityHeadersAndNoServerHeader(string method, string path, HttpStatusCode status)
    {
        using var response = await fixture.App.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        response.AssertSecurityHeaders();
    }

    [Fact]
    public async Task ApiAnswersAreNeverStored()
    {
        using var response = await fixture.App.Client.GetAsync("/api/v1/me");

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AnythingAskedWithACredentialIsNeverStored()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Guest-Token", "not-a-real-token");

        using var withCredential = await fixture.App.Client.SendAsync(request);
        using var anonymous = await fixture.App.Client.GetAsync("/healthz");

        Assert.Equal("no-store", withCredential.Headers.CacheControl?.ToString());
        Assert.Null(anonymous.Headers.CacheControl);
    }

    [Fact]
    public async Task AuthenticatedAnswerIsNeverStored()
    {
        var tenant = await fixture.App.CreateTenantAsync();
        var user = await fixture.App.SignUpAsync(tenant);

        using var response = await fixture.App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/exams");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        response.AssertSecurityHeaders();
    }

    [Fact]
    public async Task NoHstsOutsideProduction()
    {
        using var response = await fixture.App.Client.GetAsync("/healthz");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
