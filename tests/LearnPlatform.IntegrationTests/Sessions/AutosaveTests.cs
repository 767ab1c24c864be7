namespace LearnPlatform.IntegrationTests.Sessions;

public sealed class AutosaveTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(HttpClient Client, Guid Session)> StartedAsync(int timeLimitSeconds = 1800)
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var client = App.ClientWithBearer(user.IdToken);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: timeLimitSeconds));
        return (client, (await client.StartSessionAsync(paper)).Id());
    }

    [Fact]
    public async Task EachSaveBumpsTheVersionAndTheLatestWins()
    {
        var (client, session) = await StartedAsync();

        var first = await (await client.SaveAsync(session, "q3", "fun")).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await client.SaveAsync(session, "q3", "def")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal("q3", second.GetProperty("question_id").GetString());
        Assert.True(second.TryGetProperty("saved_at", out _));
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        Assert.Equal("def", view.GetProperty("responses")[0].GetProperty("answer").GetString());
    }

    [Fact]
    public async Task StaleIfMatchIsAConflictAndKeepsTheNewerAnswer()
    {
        var (client, session) = await StartedAsync();
        await client.SaveAsync(session, "q2", new[] { "2" });
        await client.SaveAsync(session, "q2", new[] { "2", "4" });

        var stale = await client.SaveAsync(session, "q2", new[] { "1" }, ifMatch: "\"1\"");
        var current = await client.SaveAsync(session, "q2", new[] { "4" }, ifMatch: "\"2\"");

        await stale.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(3, (await current.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
    }

    [Theory]
    [InlineData("q1", "[\"5\"]")]
    [InlineData("q1", "[\"3\", \"4\"]")]
    [InlineData("q2", "[\"2\", \"2\"]")]
    [InlineData("q2", "\"2\"")]
    [InlineData("q2", "[2]")]
    [InlineData("q3", "[\"def\"]")]
    [InlineData("q4", "42")]
    [InlineData("q4", "null")]
    public async Task AnswerThatDoesNotFitTheQuestionIsBadRequest(string question, string answer)
    {
        var (client, session) = await StartedAsync();

        var response = await client.PutAsync($"/api/v1/sessions/{session}/responses/{question}",
            new StringContent($"{{\"answer\": {answer}}}", System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("answer", out _));
    }

    [Fact]
    public async Task EssayOverOneHundredThousandCharactersIsBadRequest()
    {
        var (client, session) = await StartedAsync();

        var atLimit = await client.SaveAsync(session, "q4", new string('x', 100_000));
        var over = await client.SaveAsync(session, "q4", new string('x', 100_001));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        await over.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MissingAnswerOrMalformedBodyIsBadRequest()
    {
        var (client, session) = await StartedAsync();

        foreach (var body in new[] { "{}", "{\"answer\": ", "not json" })
        {
            var response = await client.PutAsync($"/api/v1/sessions/{session}/responses/q3", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task UnknownQuestionIsNotFound()
    {
        var (client, session) = await StartedAsync();

        await (await client.SaveAsync(session, "q99", "x")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FiftyParallelSavesLeaveOneLatestVersionAndNoServerError()
    {
        var (client, session) = await StartedAsync();

        var responses = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => client.SaveAsync(session, "q4", $"draft {i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var versions = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 50), versions.Order());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s AND question_id = 'q4' AND version = 50", ("s", session)));
    }

    [Fact]
    public async Task SaveOneSecondBeforeTheDeadlineCountsAndOneSecondAfterIsAConflict()
    {
        var (client, session) = await StartedAsync(timeLimitSeconds: 600);

        fixture.Clock.Advance(TimeSpan.FromSeconds(599));
        var before = await client.SaveAsync(session, "q3", "def");
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var after = await client.SaveAsync(session, "q3", "lambda");
        fixture.Clock.Advance(TimeSpan.FromSeconds(-601));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await after.AssertProblemAsync(HttpStatusCode.Conflict);
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        Assert.Equal("def", view.GetProperty("responses")[0].GetProperty("answer").GetString());
        Assert.Equal(1, view.GetProperty("responses")[0].GetProperty("version").GetInt32());
    }
}
