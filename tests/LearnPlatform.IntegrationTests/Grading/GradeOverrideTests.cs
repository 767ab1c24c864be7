using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Grading;

public sealed class GradeOverrideTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(HttpClient Candidate, HttpClient Author, Guid Session, Guid Tenant)> SubmittedAsync(bool submit = true)
    {
        var tenant = await App.CreateTenantAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        await candidate.SaveAsync(session, "q4", "Lists change, tuples do not.");
        if (submit)
        {
            await candidate.SubmitAsync(session);
        }
        return (candidate, author, session, tenant);
    }

    private static Task<HttpResponseMessage> OverrideAsync(HttpClient client, Guid session, string question, object body) =>
        client.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/{question}/grade", body);

    [Fact]
    public async Task CandidateSeesNoScoresUntilGradedWhileStaffSeeThePartialGrades()
    {
        var (candidate, author, session, _) = await SubmittedAsync();

        var staffView = await author.WaitForResultAsync(session, "needs_review");
        var result = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/result");

        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.False(result.TryGetProperty("score", out _));
        Assert.False(result.TryGetProperty("questions", out _));
        Assert.True(staffView.TryGetProperty("questions", out _));
    }

    [Fact]
    public async Task OverridingEveryQuestionGradesTheSessionAndTheCandidateSeesTheTotal()
    {
        var (candidate, author, session, _) = await SubmittedAsync();
        var scores = new Dictionary<string, decimal> { ["q1"] = 1, ["q2"] = 1.5m, ["q3"] = 0, ["q4"] = 4, ["q5"] = 3 };

        foreach (var (question, score) in scores)
        {
            Assert.Equal(HttpStatusCode.OK, (await OverrideAsync(author, session, question, new { score, reason = "Marked by hand" })).StatusCode);
        }

        var result = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/result");
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(9.5m, result.GetProperty("score").GetDecimal());
        Assert.Equal(12m, result.GetProperty("max_score").GetDecimal());
        var q4 = result.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("question_id").GetString() == "q4");
        Assert.Equal(4m, q4.GetProperty("score").GetDecimal());
        Assert.Equal("human", q4.GetProperty("source").GetString());
        Assert.False(q4.TryGetProperty("override_reason", out _));
        var staffView = await author.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/result");
        Assert.Equal("Marked by hand", staffView.GetProperty("questions")[0].GetProperty("override_reason").GetString());
    }

    [Fact]
    public async Task PartlyOverriddenSessionNeedsReviewAndIsAudited()
    {
        var (candidate, author, session, _) = await SubmittedAsync(submit: false);
        await candidate.SaveAsync(session, "q5", "def add(a, b):\n    return a + b");
        await candidate.SubmitAsync(session);
        await author.WaitForResultAsync(session);

        var response = await OverrideAsync(author, session, "q4", new { score = 2, reason = "Half the rubric" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await author.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/result");
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.False(result.QuestionOf("q5").TryGetProperty("score", out _), "the code answer still waits for a reviewer");
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'grade.override' AND resource = @r", ("r", $"session/{session}")));
    }

    [Theory]
    [InlineData("{\"score\": -1, \"reason\": \"x\"}", "score")]
    [InlineData("{\"score\": 6, \"reason\": \"x\"}", "score")]
    [InlineData("{\"score\": 1.234, \"reason\": \"x\"}", "score")]
    [InlineData("{\"score\": 1}", "reason")]
    [InlineData("{\"reason\": \"x\"}", "score")]
    public async Task InvalidOverrideIsBadRequest(string body, string field)
    {
        var (_, author, session, _) = await SubmittedAsync();

        var response = await author.PutAsync($"/api/v1/sessions/{session}/responses/q4/grade", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), body);
    }

    [Fact]
    public async Task OverrideIsRefusedWhileInProgressForCandidatesForUnknownQuestionsAndAcrossTenants()
    {
        var (candidate, author, session, _) = await SubmittedAsync(submit: false);
        var foreignAdmin = App.ClientWithBearer((await App.SignUpAsync(await App.CreateTenantAsync(), Roles.Admin)).IdToken);
        var body = new { score = 1, reason = "x" };

        await (await OverrideAsync(author, session, "q4", body)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await OverrideAsync(candidate, session, "q4", body)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await OverrideAsync(author, session, "q99", body)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await OverrideAsync(foreignAdmin, session, "q4", body)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await foreignAdmin.GetAsync($"/api/v1/sessions/{session}/result")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
