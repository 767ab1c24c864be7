using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>
/// Prices that make a hint's worst case exactly one dollar: input tokens free, output tokens 1,000 USD per million,
/// and a hint's output limited to 1,000 tokens. One tenant's cap holds five worst cases, another's one and a half.
/// </summary>
public sealed class SpendAppFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;
    internal GeminiStandIn Gemini { get; private set; } = null!;

    public Guid FiveCallTenant { get; } = Guid.CreateVersion7();
    public Guid OneCallTenant { get; } = Guid.CreateVersion7();

    public async Task InitializeAsync()
    {
        Gemini = await GeminiStandIn.StartAsync();
        App = await TestApp.StartAsync(settings =>
        {
            settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
            settings["Gemini:ApiKey"] = AiAppFixture.PlatformKey;
            settings["Gemini:Timeout"] = "00:00:05";
            settings["Ai:Prices:InputUsdPerMillionTokens"] = "0";
            settings["Ai:Prices:OutputUsdPerMillionTokens"] = "1000";
            settings["Ai:Calls:Hint:MaxOutputTokens"] = "1000";
            settings[$"Ai:Caps:Tenants:{FiveCallTenant}:MonthlySpendUsd"] = "5.5";
            settings[$"Ai:Caps:Tenants:{OneCallTenant}:MonthlySpendUsd"] = "1.5";
        });
        await AiAppFixture.CreateTenantAsync(App, FiveCallTenant);
        await AiAppFixture.CreateTenantAsync(App, OneCallTenant);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

/// <summary>The monthly spend cap: a call's worst case is reserved before it goes out, and settled to what it cost.</summary>
public sealed class SpendReservationTests(SpendAppFixture fixture) : IClassFixture<SpendAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    private async Task<JsonElement> UsageAsync(Guid tenant) =>
        await App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken).GetFromJsonAsync<JsonElement>("/api/v1/ai/usage");

    [Fact]
    public async Task ThirtyParallelHintsAgainstASpendCapThatAllowsFiveLetExactlyFiveReachGemini()
    {
        var (candidate, session) = await App.SessionAsync(fixture.FiveCallTenant, AiCalls.Practice());
        // Gemini takes its time, so every request is decided while the first ones are still out.
        Gemini.Script(Enumerable.Range(0, 30).Select(_ => GeminiReplies.Slow(TimeSpan.FromMilliseconds(500), AiCalls.Hint(outputTokens: 1000))).ToArray());

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => candidate.HintAsync(session, "q4")));

        Assert.Equal(5, Gemini.Requests.Count);
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal("monthly_spend", problem.GetProperty("cap").GetString());
            Assert.Equal(5.5m, problem.GetProperty("limit").GetDecimal());
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        var usage = await UsageAsync(fixture.FiveCallTenant);
        Assert.Equal(5m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(5, usage.GetProperty("calls").GetInt32());
        Assert.Equal(5, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task ACallSettlesToWhatGeminiReportsSoTheRestOfItsReservationIsFreeAgain()
    {
        var (candidate, session) = await App.SessionAsync(fixture.OneCallTenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(outputTokens: 10), AiCalls.Hint(outputTokens: 10), AiCalls.Hint(outputTokens: 10));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);
        }

        var usage = await UsageAsync(fixture.OneCallTenant);
        Assert.Equal(0.03m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(30, usage.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task ATimedOutCallIsBilledAtItsWorstCaseAndGivesItsCountBack()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GeminiReplies.Slow(TimeSpan.FromSeconds(30), AiCalls.Hint()));

        await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);

        var usage = await UsageAsync(tenant);
        // Google bills a request it worked on whether or not the answer arrived: the prompt plus the output limit.
        Assert.Equal(1m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(1, usage.GetProperty("calls").GetInt32());
        Assert.Equal(1, usage.GetProperty("estimated_calls").GetInt32());
        Assert.Equal(1000, usage.GetProperty("output_tokens").GetInt64());
        Assert.True(usage.GetProperty("input_tokens").GetInt64() > 0);
        Assert.Equal(0, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task EveryAnswerGeminiSendsIsBilledWhateverItsContent()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(
            GeminiReplies.SafetyBlock(),
            GeminiReplies.Text("not json", promptTokens: 120, outputTokens: 40),
            GeminiReplies.Text("{\"hint\": ", promptTokens: 120, outputTokens: 40),
            GeminiReplies.WithoutUsage(new { hint = "Think about what the keyword abbreviates." }));

        await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.BadGateway);
        await (await candidate.HintAsync(session, "q4")).AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);

        var usage = await UsageAsync(tenant);
        // Blocked (0 output), two unusable answers (40 each), and one answer without usageMetadata (its worst case).
        Assert.Equal(4, usage.GetProperty("calls").GetInt32());
        Assert.Equal(1, usage.GetProperty("estimated_calls").GetInt32());
        Assert.Equal(1080, usage.GetProperty("output_tokens").GetInt64());
        Assert.True(usage.GetProperty("input_tokens").GetInt64() > 100 + 120 + 120);
        Assert.Equal(1.08m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(3, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task EachKindOfCallCarriesItsOutputLimitAndThinkingBudget()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(), GeminiReplies.Text("{}"), GeminiReplies.Text("{}"));

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);
        await (await author.GenerateAsync(paper, new { topic = "Python lists", kind = "essay", count = 1 })).AssertProblemAsync(HttpStatusCode.BadGateway);

        var hint = Gemini.Requests[0].GenerationConfig;
        Assert.Equal(1000, hint.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(0, hint.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
        var generation = Gemini.Requests[1].GenerationConfig;
        Assert.Equal(8192, generation.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(2048, generation.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
    }
}
