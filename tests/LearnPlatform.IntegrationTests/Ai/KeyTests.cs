
namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>Bring your own key, tenant keys, the platform key, and what never happens to any of them.</summary>
public sealed class KeyTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private const string OwnKey = "AIzaSyOWN-caller-key-3c9f5d1a";

    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    [Fact]
    public async Task OwnKeyIsSentToGeminiForThatRequestOnlyAndNeverStoredLoggedOrEchoed()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(), AiCalls.Hint());

        var own = await candidate.HintAsync(session, "q4", OwnKey);
        var next = await candidate.HintAsync(session, "q4");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal([OwnKey, AiAppFixture.PlatformKey], Gemini.Requests.Select(r => r.ApiKey));
        Assert.All(Gemini.Requests, r => Assert.DoesNotContain("key=", r.Query, StringComparison.OrdinalIgnoreCase));
        await AssertNowhereAsync(OwnKey, own, next);
        Assert.Contains("Gemini gemini-2.5-flash answered", App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyGeminiCallsInvalidAnswers400InvalidApiKeyWithoutEchoingIt()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.InvalidKey(OwnKey));

        var response = await candidate.HintAsync(session, "q4", OwnKey);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid API key", problem.GetProperty("detail").GetString());
        await AssertNowhereAsync(OwnKey, response);
        Assert.Equal(0, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Theory]
    [InlineData(401, "UNAUTHENTICATED")]
    [InlineData(403, "PERMISSION_DENIED")]
    public async Task OwnKeyRefusedWith401Or403Answers400InvalidApiKey(int status, string apiStatus)
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.Error(status, apiStatus, "Method doesn't allow unregistered callers."));

        var problem = await (await candidate.HintAsync(session, "q4", OwnKey)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("Invalid API key", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("key with spaces")]
    public async Task MalformedOwnKeyAnswers400WithoutCallingGemini(string key)
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());

        var problem = await (await candidate.HintAsync(session, "q4", key)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("Invalid API key", problem.GetProperty("detail").GetString());
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task OverlongOwnKeyAnswers400WithoutCallingGemini()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());

        await (await candidate.HintAsync(session, "q4", new string('k', 257))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task TenantsConfiguredKeyIsUsedWhenTheCallerSendsNone()
    {
        var (candidate, session) = await App.SessionAsync(fixture.KeyedTenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint());

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);

        Assert.Equal(AiAppFixture.TenantKey, Assert.Single(Gemini.Requests).ApiKey);
        Assert.DoesNotContain(AiAppFixture.TenantKey, App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredKeyThatGeminiRefusesIsAnOutageNotTheCallersFault()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.InvalidKey(AiAppFixture.PlatformKey));

        var response = await candidate.HintAsync(session, "q4");

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Service temporarily unavailable", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(AiAppFixture.PlatformKey, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(AiAppFixture.PlatformKey, App.Logs.All, StringComparison.Ordinal);
    }

    private async Task AssertNowhereAsync(string key, params HttpResponseMessage[] responses)
    {
        foreach (var response in responses)
        {
            Assert.DoesNotContain(key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains(key, StringComparison.Ordinal)));
        }
        Assert.NotEmpty(App.Logs.Lines);
        Assert.DoesNotContain(key, App.Logs.All, StringComparison.Ordinal);
        Assert.Empty(await App.TablesContainingAsync(key));
    }
}

public sealed class NoKeyTests(NoPlatformKeyFixture fixture) : IClassFixture<NoPlatformKeyFixture>
{
    [Fact]
    public async Task WithoutOwnTenantOrPlatformKeyAiAnswers503NotConfigured()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var (candidate, session) = await app.SessionAsync(tenant, AiCalls.Practice());

        var problem = await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("AI is not configured", problem.GetProperty("detail").GetString());
        Assert.Empty(fixture.Gemini.Requests);
    }

    [Fact]
    public async Task WithoutPlatformKeyOwnKeyStillWorks()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var (candidate, session) = await app.SessionAsync(tenant, AiCalls.Practice());
        fixture.Gemini.Script(AiCalls.Hint());

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4", "AIzaSyOWN-only-key")).StatusCode);
    }
}
