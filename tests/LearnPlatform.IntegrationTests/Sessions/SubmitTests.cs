namespace LearnPlatform.IntegrationTests.Sessions;

public sealed class SubmitTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(HttpClient Client, Guid Session)> StartedAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var client = App.ClientWithBearer(user.IdToken);
        var paper = await App.PublishAsync(tenant);
        return (client, (await client.StartSessionAsync(paper)).Id());
    }

    [Fact]
    public async Task SubmitRecordsTheTimeAndStartsOneGradingRunAndRepeatingItIsHarmless()
    {
        var (client, session) = await StartedAsync();
        await client.SaveAsync(session, "q1", new[] { "4" });

        var first = await client.SubmitAsync(session);
        var second = await client.SubmitAsync(session);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("submitted", a.GetProperty("status").GetString());
        Assert.Equal(a.GetProperty("submitted_at").GetDateTimeOffset(), b.GetProperty("submitted_at").GetDateTimeOffset());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @key", ("key", $"grade:{session}")));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE resource = @r AND action = 'session.submit'", ("r", $"session/{session}")));
    }

    [Fact]
    public async Task SavingAfterSubmitIsAConflictAndLeavesTheAnswersAsTheyWere()
    {
        var (client, session) = await StartedAsync();
        await client.SaveAsync(session, "q3", "def");
        await client.SubmitAsync(session);

        var late = await client.SaveAsync(session, "q3", "lambda");
        var fresh = await client.SaveAsync(session, "q4", "an essay written too late");

        await late.AssertProblemAsync(HttpStatusCode.Conflict);
        await fresh.AssertProblemAsync(HttpStatusCode.Conflict);
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        Assert.NotEqual("in_progress", view.GetProperty("status").GetString());
        var responses = view.GetProperty("responses");
        Assert.Equal(1, responses.GetArrayLength());
        Assert.Equal("def", responses[0].GetProperty("answer").GetString());
        Assert.Equal(1, responses[0].GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task RacingSubmitsRecordOneSubmission()
    {
        var (client, session) = await StartedAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SubmitAsync(session)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @key", ("key", $"grade:{session}")));
    }

    [Fact]
    public async Task SavesRacingASubmitAreEitherKeptOrRefusedNeverLost()
    {
        var (client, session) = await StartedAsync();

        var saves = Enumerable.Range(0, 30).Select(i => client.SaveAsync(session, "q4", $"draft {i}")).ToList();
        var submit = client.SubmitAsync(session);
        await Task.WhenAll(saves.Append(submit));

        Assert.All(saves, s => Assert.Contains(s.Result.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var accepted = await Task.WhenAll(saves.Where(s => s.Result.StatusCode == HttpStatusCode.OK)
            .Select(async s => (await s.Result.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32()));
        var after = await client.SaveAsync(session, "q4", "too late");
        await after.AssertProblemAsync(HttpStatusCode.Conflict);
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        var stored = view.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("version").GetInt32()).DefaultIfEmpty(0).Single();
        Assert.Equal(accepted.Length, accepted.Distinct().Count());
        Assert.Equal(accepted.DefaultIfEmpty(0).Max(), stored);
    }
}
