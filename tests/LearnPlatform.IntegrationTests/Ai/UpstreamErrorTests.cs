
namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>Gemini's failures, normalized; a call that cost nothing gives its reservation back.</summary>
public sealed class UpstreamErrorTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    [Fact]
    public async Task GeminiRateLimitAnswers429WithRetryAfterFromItsRetryDelay()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.RateLimited("16.2s"));

        var response = await candidate.HintAsync(session, "q4");

        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Rate limit reached, please wait", problem.GetProperty("detail").GetString());
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter?.Delta);
        Assert.Equal(0, await App.CounterAsync($"session:{session}", "hints"));
        Assert.Equal(0, await App.CounterAsync($"session:{session}", "total"));
    }

    [Fact]
    public async Task GeminiServerErrorAnswers503AndCostsNothing()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.Unavailable());

        var response = await candidate.HintAsync(session, "q4");

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Service temporarily unavailable", problem.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task GeminiTooSlowAnswers503()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.Slow(TimeSpan.FromSeconds(10), AiCalls.Hint()));

        var problem = await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("Service temporarily unavailable", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BlockedContentAnswers502AndCounts()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.SafetyBlock());

        await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.BadGateway);

        Assert.Equal(1, await App.CounterAsync($"session:{session}", "hints"));
    }
}
