namespace LearnPlatform.IntegrationTests.Sessions;

public sealed class StartSessionTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(HttpClient Client, TestUser User, Guid Tenant)> CandidateAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        return (App.ClientWithBearer(user.IdToken), user, tenant);
    }

    [Fact]
    public async Task StartingSetsTheDeadlineFromTheTimeLimit()
    {
        var (client, _, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));

        var session = await client.StartSessionAsync(paper);

        Assert.Equal("in_progress", session.GetProperty("status").GetString());
        Assert.Equal(1, session.GetProperty("attempt").GetInt32());
        Assert.Equal(fixture.Clock.GetUtcNow().AddSeconds(600), session.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(5, session.GetProperty("questions").GetArrayLength());
    }

    [Fact]
    public async Task StartingTwiceWhileInProgressResumesTheSameSession()
    {
        var (client, _, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(maxAttempts: 3));
        var first = await client.StartSessionAsync(paper);
        await client.SaveAsync(first.Id(), "q3", "def");

        var again = await client.StartSessionAsync(paper, HttpStatusCode.OK);

        Assert.Equal(first.Id(), again.Id());
        Assert.Equal(1, again.GetProperty("attempt").GetInt32());
        Assert.Equal("def", again.GetProperty("responses")[0].GetProperty("answer").GetString());
    }

    [Fact]
    public async Task RacingStartsCreateOneSession()
    {
        var (client, user, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(maxAttempts: 5));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper })));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE candidate_uid = @u", ("u", user.Uid)));
    }

    [Fact]
    public async Task AttemptsUsedUpIsAConflict()
    {
        var (client, _, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(maxAttempts: 2));
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var session = await client.StartSessionAsync(paper);
            Assert.Equal(attempt, session.GetProperty("attempt").GetInt32());
            Assert.Equal(HttpStatusCode.Accepted, (await client.SubmitAsync(session.Id())).StatusCode);
        }

        var third = await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });

        await third.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CandidateIdOtherThanTheCallerIsForbidden()
    {
        var (client, user, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant);

        var forOther = await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper, candidate_id = "someone-else" });
        var forSelf = await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper, candidate_id = user.Uid });

        await forOther.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, forSelf.StatusCode);
    }

    [Fact]
    public async Task UnknownUnpublishedOrForeignPaperIsNotFound()
    {
        var (client, _, _) = await CandidateAsync();
        var foreign = await App.PublishAsync(await App.CreateTenantAsync());

        foreach (var paper in new[] { Guid.CreateVersion7(), foreign })
        {
            await (await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper })).AssertProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"paper_id\": \"not-a-uuid\"}")]
    [InlineData("{\"paper_id\": 12}")]
    [InlineData("{\"paper_id\": ")]
    public async Task MalformedStartRequestIsBadRequest(string body)
    {
        var (client, _, _) = await CandidateAsync();

        var response = await client.PostAsync("/api/v1/sessions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AccommodationStretchesTheDeadlineAndThePapersOwnWins()
    {
        var (client, user, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 1200));
        var other = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 1200));
        await App.AccommodateAsync(tenant, user.Uid, paperId: null, multiplier: 1.5m, extraMinutes: 10);
        await App.AccommodateAsync(tenant, user.Uid, paperId: paper, multiplier: 2m, extraMinutes: 0);

        var own = await client.StartSessionAsync(paper);
        var tenantWide = await client.StartSessionAsync(other);

        var now = fixture.Clock.GetUtcNow();
        Assert.Equal(now.AddSeconds(2400), own.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(now.AddSeconds(1800).AddMinutes(10), tenantWide.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task SessionPastItsDeadlineIsClosedWhenTheCandidateStartsAgain()
    {
        var (client, _, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 60, maxAttempts: 2));
        var first = await client.StartSessionAsync(paper);
        fixture.Clock.Advance(TimeSpan.FromSeconds(61));

        var second = await client.StartSessionAsync(paper);

        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND status <> 'in_progress' AND submitted_at = deadline", ("id", first.Id())));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @key", ("key", $"grade:{first.Id()}")));
    }

    [Fact]
    public async Task ShuffledLayoutIsAPermutationAndStaysFixedForTheSession()
    {
        var (client, _, tenant) = await CandidateAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(shuffle: true));
        var session = await client.StartSessionAsync(paper);

        var order = session.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("id").GetString()).ToList();
        var again = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session.Id()}");

        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], order.Order());
        Assert.Equal(order, again.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("id").GetString()));
        var options = again.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("id").GetString() == "q2")
            .GetProperty("options").EnumerateArray().Select(o => o.GetString()).ToList();
        Assert.Equal(["1", "2", "4"], options.Order());
    }

    [Fact]
    public async Task GuestCannotStartAUserSession()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var guest = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        var token = (await guest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("guest_token").GetString()!;

        var response = await App.ClientWithGuestToken(token).PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}

public sealed class MalformedBodyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("{\"paper_id\": ", "application/json", 400)]
    [InlineData("{\"paper_id\": 12}", "application/json", 400)]
    [InlineData("paper_id=1", "application/x-www-form-urlencoded", 415)]
    public async Task UnreadableBodyIsAProblemThatSaysWhatWasWrong(string body, string mediaType, int status)
    {
        var tenant = await fixture.App.CreateTenantAsync();
        var client = fixture.App.ClientWithBearer((await fixture.App.SignUpAsync(tenant)).IdToken);

        var response = await client.PostAsync("/api/v1/sessions", new StringContent(body, System.Text.Encoding.UTF8, mediaType));

        var problem = await response.AssertProblemAsync((HttpStatusCode)status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("paper_id", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }
}
