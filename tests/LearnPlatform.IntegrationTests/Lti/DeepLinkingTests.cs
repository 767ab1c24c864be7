using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>An instructor picks a paper through deep linking; the platform creates the link; a learner launches it and is graded.</summary>
public sealed class DeepLinkingTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;
    private PlatformStandIn Platform => fixture.Platform;

    private async Task<JsonElement> DeepLinkingExchangeAsync(string instructor)
    {
        using var launch = await App.LaunchThroughPlatformAsync(Platform, Platform.DeepLinkingClaims(instructor));
        return await App.ExchangeOkAsync(LtiCalls.CodeOf(launch));
    }

    private Task<HttpResponseMessage> PickAsync(string token, Guid paper) =>
        App.Client.PostAsJsonAsync("/api/v1/lti/deep-linking", new { deep_linking_token = token, paper_id = paper });

    [Fact]
    public async Task APickedPaperRoundTripsThroughThePlatformIntoAGradedLaunch()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var exchange = await DeepLinkingExchangeAsync("teacher-dl");
        Assert.Equal("deep_linking", exchange.GetProperty("kind").GetString());
        Assert.Equal(Roles.Author, exchange.GetProperty("role").GetString());
        var choice = exchange.GetProperty("papers").EnumerateArray().Single(p => p.Id() == paper);
        Assert.Equal("Arithmetic", choice.GetProperty("title").GetString());
        Assert.Equal(2m, choice.GetProperty("total_points").GetDecimal());

        using var picked = await PickAsync(exchange.GetProperty("deep_linking_token").GetString()!, paper);
        Assert.Equal(HttpStatusCode.OK, picked.StatusCode);
        var answer = await picked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Platform.DeepLinkReturnUrl, answer.GetProperty("return_url").GetString());

        // The frontend form-posts the JWT to the return URL; the platform verifies it with the tool's JWKS.
        using var browser = new HttpClient();
        using var posted = await browser.PostAsync(answer.GetProperty("return_url").GetString(),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["JWT"] = answer.GetProperty("jwt").GetString()! }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var response = await posted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(LtiClaims.DeepLinkingResponse, response.GetProperty(LtiClaims.MessageType).GetString());
        Assert.Equal(LtiClaims.Version13, response.GetProperty(LtiClaims.Version).GetString());
        Assert.Equal(PlatformStandIn.DeploymentId, response.GetProperty(LtiClaims.DeploymentId).GetString());
        Assert.Equal("platform-opaque-data", response.GetProperty(LtiClaims.DeepLinkingData).GetString());
        var item = Assert.Single(response.GetProperty(LtiClaims.DeepLinkingContentItems).EnumerateArray());
        Assert.Equal("ltiResourceLink", item.GetProperty("type").GetString());
        Assert.Equal(new Uri(App.BaseAddress, "/lti/launch").ToString(), item.GetProperty("url").GetString());
        Assert.Equal(paper.ToString(), item.GetProperty("custom").GetProperty("paper_id").GetString());
        Assert.Equal(2m, item.GetProperty("lineItem").GetProperty("scoreMaximum").GetDecimal());

        // The platform made the link (with its line item); a learner launches it.
        var claims = PlatformStandIn.ResourceLinkClaims("learner-dl", paper, Platform.LineItemUrl("dl-1"));
        claims[LtiClaims.Custom] = JsonSerializer.Deserialize<Dictionary<string, object>>(item.GetProperty("custom").GetRawText())!;
        using var launch = await App.LaunchThroughPlatformAsync(Platform, claims);
        var learner = await App.ExchangeOkAsync(LtiCalls.CodeOf(launch));
        var session = learner.GetProperty("session").Id();
        var client = App.SessionClient(learner);
        await client.SaveAsync(session, "q1", new[] { "4" });
        await client.SaveAsync(session, "q2", "def");
        await client.SubmitAsync(session);

        var score = await PassbackTests.WaitForScoreAsync(Platform, "dl-1");
        Assert.Equal(2m, score.GetProperty("scoreGiven").GetDecimal());
        Assert.Equal(2m, score.GetProperty("scoreMaximum").GetDecimal());
    }

    [Fact]
    public async Task ADeepLinkingTokenIsSingleUseAndAPaperMustBePublishedInTheTenant()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var otherTenantsPaper = await App.PublishAsync(await App.CreateTenantAsync(), LtiPapers.AutoGraded());
        var token = (await DeepLinkingExchangeAsync("teacher-dl-2")).GetProperty("deep_linking_token").GetString()!;

        using var foreign = await PickAsync(token, otherTenantsPaper);
        using var unknown = await PickAsync(token, Guid.NewGuid());
        using var first = await PickAsync(token, paper);
        using var second = await PickAsync(token, paper);
        using var bogus = await PickAsync("not-a-token", paper);
        using var missing = await App.Client.PostAsJsonAsync("/api/v1/lti/deep-linking", new { });

        await foreign.AssertProblemAsync(HttpStatusCode.NotFound);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.BadRequest);
        await bogus.AssertProblemAsync(HttpStatusCode.BadRequest);
        var problem = await missing.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("deep_linking_token", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("paper_id", out _));
    }

    [Fact]
    public async Task ADeepLinkingCodeCannotBeUsedAsTheDeepLinkingToken()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        using var launch = await App.LaunchThroughPlatformAsync(Platform, Platform.DeepLinkingClaims("teacher-dl-3"));
        var code = LtiCalls.CodeOf(launch);

        using var response = await PickAsync(code, paper);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
