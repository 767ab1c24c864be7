namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>Grades reach the platform's line item after grading, after a regrade and after a human override, with retries.</summary>
public sealed class PassbackTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;
    private PlatformStandIn Platform => fixture.Platform;

    /// <summary>The <paramref name="count"/>th score posted to the line item, once it has arrived.</summary>
    public static Task<JsonElement> WaitForScoreAsync(PlatformStandIn platform, string lineItem, int count = 1) =>
        Eventually.ValueAsync(
            () => Task.FromResult(platform.Scores.Where(s => s.LineItem == lineItem).Skip(count - 1).Select(s => (JsonElement?)s.Body).FirstOrDefault()),
            TimeSpan.FromSeconds(30), $"score {count} of line item {lineItem}");

    private async Task<(JsonElement Exchange, Guid Session, HttpClient Client)> LaunchAsync(Guid paper, string subject, string lineItem)
    {
        var exchange = await fixture.LaunchSessionAsync(subject, paper, Platform.LineItemUrl(lineItem));
        return (exchange, exchange.GetProperty("session").Id(), App.SessionClient(exchange));
    }

    [Fact]
    public async Task AGradedSessionPostsItsScoreWithTheLtiUserAndAFreshToken()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var (_, session, client) = await LaunchAsync(paper, "pb-learner-1", "pb-1");
        await client.SaveAsync(session, "q1", new[] { "4" });
        await client.SubmitAsync(session);

        var score = await WaitForScoreAsync(Platform, "pb-1");

        Assert.Equal("pb-learner-1", score.GetProperty("userId").GetString());
        Assert.Equal(1m, score.GetProperty("scoreGiven").GetDecimal());
        Assert.Equal(2m, score.GetProperty("scoreMaximum").GetDecimal());
        Assert.Equal("Completed", score.GetProperty("activityProgress").GetString());
        Assert.Equal("FullyGraded", score.GetProperty("gradingProgress").GetString());
        Assert.Equal("graded", (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}")).GetProperty("status").GetString());
        Assert.True(score.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Contains(Platform.TokenRequests, r => r["scope"].Split(' ').Length == 2);
    }

    [Fact]
    public async Task ARegradePostsTheNewScore()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded(correct: "3"));
        var (_, session, client) = await LaunchAsync(paper, "pb-learner-2", "pb-2");
        await client.SaveAsync(session, "q1", new[] { "4" });
        await client.SubmitAsync(session);
        Assert.Equal(0m, (await WaitForScoreAsync(Platform, "pb-2")).GetProperty("scoreGiven").GetDecimal());
        await App.PublishNewVersionAsync(fixture.Tenant, paper, LtiPapers.AutoGraded(correct: "4"));

        var regrade = await fixture.Admin.PostAsync($"/api/v1/sessions/{session}/regrade", null);

        Assert.Equal(HttpStatusCode.Accepted, regrade.StatusCode);
        Assert.Equal(1m, (await WaitForScoreAsync(Platform, "pb-2", count: 2)).GetProperty("scoreGiven").GetDecimal());
    }

    [Fact]
    public async Task AHumanOverrideGradesTheSessionAndPostsTheScore()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.WithEssay());
        var (_, session, client) = await LaunchAsync(paper, "pb-learner-3", "pb-3");
        await client.SaveAsync(session, "q1", new[] { "4" });
        await client.SaveAsync(session, "q4", "Lists change; tuples do not.");
        await client.SubmitAsync(session);
        await fixture.Admin.WaitForResultAsync(session, "needs_review");
        Assert.DoesNotContain(Platform.Scores, s => s.LineItem == "pb-3");

        var overridden = await fixture.Admin.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 3, reason = "Mutability explained" });

        Assert.Equal(HttpStatusCode.OK, overridden.StatusCode);
        var score = await WaitForScoreAsync(Platform, "pb-3");
        Assert.Equal(4m, score.GetProperty("scoreGiven").GetDecimal());
        Assert.Equal(6m, score.GetProperty("scoreMaximum").GetDecimal());
        var second = await fixture.Admin.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 5, reason = "On reflection, full marks" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(6m, (await WaitForScoreAsync(Platform, "pb-3", count: 2)).GetProperty("scoreGiven").GetDecimal());
    }

    [Fact]
    public async Task APlatformThatFailsIsTriedAgainUntilTheScoreIsTaken()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var (_, session, client) = await LaunchAsync(paper, "pb-learner-4", "pb-4");
        Platform.FailNextScores(2);
        await client.SubmitAsync(session);

        var score = await WaitForScoreAsync(Platform, "pb-4");

        Assert.Equal(0m, score.GetProperty("scoreGiven").GetDecimal());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_type = 'lti-passback' AND input ->> 'sessionId' = @s AND status = 'completed' AND attempt = 3", ("s", session.ToString())));
    }

    [Fact]
    public async Task ASessionLaunchedWithoutALineItemPostsNothing()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var exchange = await fixture.LaunchSessionAsync("pb-learner-5", paper);
        var session = exchange.GetProperty("session").Id();
        var client = App.SessionClient(exchange);
        await client.SubmitAsync(session);

        await client.WaitForResultAsync(session, "graded");

        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_type = 'lti-passback' AND input ->> 'sessionId' = @s", ("s", session.ToString())));
    }
}
