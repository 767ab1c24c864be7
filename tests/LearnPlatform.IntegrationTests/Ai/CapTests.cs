
namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>Per-session and per-author-day call caps, counted atomically in PostgreSQL.</summary>
public sealed class CapTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    [Fact]
    public async Task ThirtyParallelHintRequestsAgainstACapOfFiveLetExactlyFiveThrough()
    {
        var (candidate, session) = await App.SessionAsync(fixture.CappedTenant, AiCalls.Practice());
        Gemini.Script(Enumerable.Range(0, 30).Select(_ => AiCalls.Hint()).ToArray());

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => candidate.HintAsync(session, "q4")));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(25, refused.Count);
        foreach (var response in refused)
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal("hints", problem.GetProperty("cap").GetString());
            Assert.Equal(5, problem.GetProperty("limit").GetInt32());
            Assert.Contains("hints", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        Assert.Equal(5, Gemini.Requests.Count);
        Assert.Equal(5, await App.CounterAsync($"session:{session}", "hints"));
        Assert.Equal(5, await App.CounterAsync($"session:{session}", "total"));
    }

    [Fact]
    public async Task CapIsPerSession()
    {
        var paper = await App.PublishAsync(fixture.CappedTenant, AiCalls.Practice() with { MaxAttempts = 2 });
        var candidate = App.ClientWithBearer((await App.SignUpAsync(fixture.CappedTenant)).IdToken);
        var first = (await candidate.StartSessionAsync(paper)).Id();
        Gemini.Script(Enumerable.Range(0, 6).Select(_ => AiCalls.Hint()).ToArray());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(first, "q4")).StatusCode);
        }
        await (await candidate.HintAsync(first, "q4")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(first)).StatusCode);

        var second = (await candidate.StartSessionAsync(paper)).Id();

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(second, "q4")).StatusCode);
    }

    [Fact]
    public async Task CallsThatCostNothingDoNotUseUpTheCap()
    {
        var (candidate, session) = await App.SessionAsync(fixture.CappedTenant, AiCalls.Practice());
        Gemini.Script(Enumerable.Range(0, 5).Select(_ => GeminiReplies.Unavailable()).Concat(Enumerable.Range(0, 5).Select(_ => AiCalls.Hint())).ToArray());

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await candidate.HintAsync(session, "q4")).StatusCode);
        }
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);
        }

        await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task TotalCapIsNamedWhenItIsTheOneReached()
    {
        var (candidate, session) = await App.SessionAsync(fixture.TotalCappedTenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(), AiCalls.Hint(), AiCalls.Hint());

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q3")).StatusCode);
        var problem = await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.TooManyRequests);

        Assert.Equal("total", problem.GetProperty("cap").GetString());
        Assert.Equal(2, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task OwnKeyIsHeldToTheSameCaps()
    {
        var (candidate, session) = await App.SessionAsync(fixture.TotalCappedTenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(), AiCalls.Hint(), AiCalls.Hint());

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4", "AIzaSyOWN-cap-key")).StatusCode);
        }

        await (await candidate.HintAsync(session, "q4", "AIzaSyOWN-cap-key")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }
}
