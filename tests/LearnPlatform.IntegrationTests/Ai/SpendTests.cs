using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>The platform key's monthly spend: estimated from usageMetadata, capped per tenant, shown to admins.</summary>
public sealed class SpendTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    private async Task<HttpClient> AdminAsync(Guid tenant) => App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);

    [Fact]
    public async Task PlatformKeySpendIsEstimatedFromTokenCountsAndShownWithTheCaps()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(AiCalls.Hint(promptTokens: 1_000_000, outputTokens: 100_000), AiCalls.Hint(promptTokens: 5_000_000, outputTokens: 5_000_000));
        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4", "AIzaSyOWN-not-counted")).StatusCode);

        var usage = await (await AdminAsync(tenant)).GetFromJsonAsync<JsonElement>("/api/v1/ai/usage");

        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), usage.GetProperty("month").GetString());
        Assert.Equal(0.55m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(100m, usage.GetProperty("spend_cap_usd").GetDecimal());
        Assert.Equal(1, usage.GetProperty("calls").GetInt32());
        Assert.Equal(1_000_000, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(100_000, usage.GetProperty("output_tokens").GetInt64());
        var caps = usage.GetProperty("caps");
        Assert.Equal(
            [200, 80, 50, 100, 30],
            new[] { "total", "generations", "hints", "evaluations", "transcriptions" }.Select(name => caps.GetProperty(name).GetInt32()));
        // No route makes "solution" calls, so there is no cap for them.
        Assert.Equal(["total", "generations", "hints", "evaluations", "transcriptions"], caps.EnumerateObject().Select(c => c.Name));
    }

    [Fact]
    public async Task OnceTheMonthsSpendReachesTheCapThePlatformKeyAnswers429UntilNextMonthButOwnKeysStillWork()
    {
        var (candidate, session) = await App.SessionAsync(fixture.SpendTenant, AiCalls.Practice());
        // The cap (0.01 USD) holds one hint's worst case; this one reports far more than that, as a call in flight may.
        Gemini.Script(AiCalls.Hint(promptTokens: 1_000_000, outputTokens: 100), AiCalls.Hint());
        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);

        var asked = DateTimeOffset.UtcNow;
        var refused = await candidate.HintAsync(session, "q4");
        var own = await candidate.HintAsync(session, "q4", "AIzaSyOWN-spend-key");

        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("monthly_spend", problem.GetProperty("cap").GetString());
        Assert.Contains("spend cap", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var now = DateTimeOffset.UtcNow;
        var nextMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        // Whole seconds, rounded up, from when the server answered: between now and when the request left.
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, (nextMonth - now).TotalSeconds - 60, (nextMonth - asked).TotalSeconds + 1);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(2, Gemini.Requests.Count);
        Assert.Equal(2, await App.CounterAsync($"session:{session}", "hints"));
    }

    [Fact]
    public async Task UsageIsForAdminsOnly()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);

        await (await author.GetAsync("/api/v1/ai/usage")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client.GetAsync("/api/v1/ai/usage")).StatusCode);
    }

    [Fact]
    public async Task UsageIsPerTenant()
    {
        var usage = await (await AdminAsync(await App.CreateTenantAsync())).GetFromJsonAsync<JsonElement>("/api/v1/ai/usage");

        Assert.Equal(0m, usage.GetProperty("spend_usd").GetDecimal());
        Assert.Equal(0, usage.GetProperty("calls").GetInt32());
    }
}
