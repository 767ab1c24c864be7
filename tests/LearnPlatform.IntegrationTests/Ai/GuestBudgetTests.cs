using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>
/// Anonymous guests get a monthly AI budget of their own (guest_ai_monthly_usd), so a script opening guest sessions
/// cannot spend the tenant's cap and push every real candidate's essay to review.
/// </summary>
public sealed class GuestBudgetTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    private async Task<(HttpClient Guest, Guid Session)> GuestSessionAsync(Guid paper)
    {
        var created = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();
        return (App.ClientWithGuestToken(created.GetProperty("guest_token").GetString()!), created.GetProperty("session").Id());
    }

    private async Task<JsonElement> UsageAsync(Guid tenant) =>
        await App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken).GetFromJsonAsync<JsonElement>("/api/v1/ai/usage");

    [Fact]
    public async Task OnceTheGuestBudgetIsSpentGuestHintsAnswer429WhileCandidatesKeepTheirs()
    {
        var paper = await App.PublishAsync(fixture.GuestCappedTenant, AiCalls.Practice(guestAccess: true));
        var (guest, guestSession) = await GuestSessionAsync(paper);
        var candidate = App.ClientWithBearer((await App.SignUpAsync(fixture.GuestCappedTenant)).IdToken);
        var candidateSession = (await candidate.StartSessionAsync(paper)).Id();
        Gemini.Script(AiCalls.Hint());

        var refused = await guest.HintAsync(guestSession, "q4");
        var served = await candidate.HintAsync(candidateSession, "q4");

        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("guest_monthly_spend", problem.GetProperty("cap").GetString());
        Assert.Equal(0.0001m, problem.GetProperty("limit").GetDecimal());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Single(Gemini.Requests);
    }

    [Fact]
    public async Task OnceTheGuestBudgetIsSpentGuestEssaysWaitForReviewWhileCandidatesEssaysAreGraded()
    {
        var paper = await App.PublishAsync(fixture.GuestCappedTenant, AiCalls.Practice(guestAccess: true));
        var admin = App.ClientWithBearer((await App.SignUpAsync(fixture.GuestCappedTenant, Roles.Admin)).IdToken);
        var (guest, guestSession) = await GuestSessionAsync(paper);
        Assert.Equal(HttpStatusCode.OK, (await guest.SaveAsync(guestSession, "q4", "Lists are mutable, tuples are not.")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await guest.SubmitAsync(guestSession)).StatusCode);
        var guestResult = await admin.WaitForResultAsync(guestSession);

        Gemini.Script(GeminiReplies.Grade(new
        {
            items = new object[]
            {
                new { criterion = "RUBRIC-SECRET: mutability", score = 2, max = 2 },
                new { criterion = "use cases", score = 1, max = 2 },
                new { criterion = "syntax", score = 1, max = 1 },
            },
            total = 4,
            rationale = "Explains mutability.",
            confidence = 0.9,
        }));
        var candidate = App.ClientWithBearer((await App.SignUpAsync(fixture.GuestCappedTenant)).IdToken);
        var candidateSession = (await candidate.StartSessionAsync(paper)).Id();
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(candidateSession, "q4", "Lists are mutable, tuples are not.")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(candidateSession)).StatusCode);
        var candidateResult = await admin.WaitForResultAsync(candidateSession);

        var waiting = guestResult.QuestionOf("q4");
        Assert.False(waiting.TryGetProperty("score", out _));
        Assert.Equal("Awaiting review (this month's AI budget for guests is used up)", waiting.GetProperty("feedback").GetString());
        Assert.Equal(4m, candidateResult.ScoreOf("q4"));
        Assert.Single(Gemini.Requests);
    }

    [Fact]
    public async Task TheGuestBudgetDefaultsToATenthOfTheTenantsCapAndCountsGuestCallsOnAnyConfiguredKey()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, AiCalls.Practice(guestAccess: true));
        var (guest, session) = await GuestSessionAsync(paper);
        var keyedPaper = await App.PublishAsync(fixture.KeyedTenant, AiCalls.Practice(guestAccess: true));
        var (keyedGuest, keyedSession) = await GuestSessionAsync(keyedPaper);
        Gemini.Script(AiCalls.Hint(promptTokens: 1_000_000, outputTokens: 0), AiCalls.Hint(promptTokens: 1_000_000, outputTokens: 0));

        Assert.Equal(HttpStatusCode.OK, (await guest.HintAsync(session, "q4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyedGuest.HintAsync(keyedSession, "q4")).StatusCode);

        var usage = await UsageAsync(tenant);
        Assert.Equal(10m, usage.GetProperty("guest_ai_monthly_usd").GetDecimal());
        Assert.Equal(0.3m, usage.GetProperty("guest_spend_usd").GetDecimal());
        Assert.Equal(0.3m, usage.GetProperty("spend_usd").GetDecimal());
        // The tenant's own key is not the platform's, so its cap is untouched; the guest budget still counts it.
        var keyed = await UsageAsync(fixture.KeyedTenant);
        Assert.Equal(0.3m, keyed.GetProperty("guest_spend_usd").GetDecimal());
        Assert.Equal(0m, keyed.GetProperty("spend_usd").GetDecimal());
    }
}
