using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Grading;

/// <summary>Submit to graded through HTTP, with the grading runs executed by the API's in-process worker and no Gemini key.</summary>
public sealed class GradingRunTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    internal static PaperSettings ChoicePaper(IReadOnlyList<string>? q1Key = null, decimal q3Points = 1) => new()
    {
        Title = "Rules only",
        TimeLimitSeconds = 1800,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = q1Key ?? ["4"], Points = 1 },
            new Question { Id = "q2", Kind = QuestionKinds.MultipleChoice, Prompt = "Even numbers?", Options = ["1", "2", "4"], Correct = ["2", "4"], Points = 2 },
            new Question { Id = "q3", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = q3Points },
        ],
    };

    private async Task<(Guid Tenant, Guid Paper, HttpClient Author)> PaperAsync(PaperSettings settings)
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        return (tenant, await App.PublishAsync(tenant, settings), author);
    }

    private async Task<(HttpClient Candidate, Guid Session)> SubmittedAsync(Guid tenant, Guid paper, params (string Question, object Answer)[] answers)
    {
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        foreach (var (question, answer) in answers)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, question, answer)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        return (candidate, session);
    }

    [Fact]
    public async Task SubmittedSessionBecomesGradedWithTheExpectedScores()
    {
        var (tenant, paper, _) = await PaperAsync(ChoicePaper());

        var (candidate, session) = await SubmittedAsync(tenant, paper, ("q1", new[] { "4" }), ("q2", new[] { "2", "1" }), ("q3", "  DEF "));

        var result = await candidate.WaitForResultAsync(session);
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(1m, result.ScoreOf("q1"));
        Assert.Equal(0m, result.ScoreOf("q2")); // one right (+1), one wrong (-1) of two correct: floored at 0
        Assert.Equal(1m, result.ScoreOf("q3"));
        Assert.Equal(2m, result.GetProperty("score").GetDecimal());
        Assert.Equal(4m, result.GetProperty("max_score").GetDecimal());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'completed'", ("k", $"grade:{session}")));
    }

    [Fact]
    public async Task WithoutAGeminiKeyEssaysAndCodeWaitForAHumanAndTheCandidateSeesNoScore()
    {
        var (tenant, paper, author) = await PaperAsync(TestPapers.Sample());

        var (candidate, session) = await SubmittedAsync(tenant, paper, ("q1", new[] { "4" }), ("q4", "Lists change, tuples do not."));

        var staffView = await author.WaitForResultAsync(session);
        Assert.Equal("needs_review", staffView.GetProperty("status").GetString());
        Assert.Equal(1m, staffView.ScoreOf("q1"));
        Assert.False(staffView.QuestionOf("q4").TryGetProperty("score", out _));
        Assert.Contains("review", staffView.QuestionOf("q4").GetProperty("feedback").GetString(), StringComparison.OrdinalIgnoreCase);
        var candidateView = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}/result");
        Assert.Equal("needs_review", candidateView.GetProperty("status").GetString());
        Assert.False(candidateView.TryGetProperty("score", out _));
    }

    [Fact]
    public async Task RegradeAfterACorrectedKeyRecomputesAndKeepsOverridesUnlessCleared()
    {
        var (tenant, paper, author) = await PaperAsync(ChoicePaper(q1Key: ["3"]));
        var (candidate, session) = await SubmittedAsync(tenant, paper, ("q1", new[] { "4" }), ("q2", new[] { "2", "4" }), ("q3", "def"));
        var first = await candidate.WaitForResultAsync(session);
        Assert.Equal(0m, first.ScoreOf("q1"));
        Assert.Equal(3m, first.GetProperty("score").GetDecimal());
        var overridden = await author.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q3/grade", new { score = 0.5, reason = "Spelling was off" });
        Assert.Equal(HttpStatusCode.OK, overridden.StatusCode);
        await App.PublishNewVersionAsync(tenant, paper, ChoicePaper(q1Key: ["4"], q3Points: 2));

        var regrade = await author.PostAsJsonAsync($"/api/v1/sessions/{session}/regrade", new { });

        Assert.Equal(HttpStatusCode.Accepted, regrade.StatusCode);
        Assert.Equal(2, (await regrade.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("graded_against_version").GetInt32());
        var second = await author.WaitForResultAsync(session, "graded");
        Assert.Equal(1m, second.ScoreOf("q1"));
        Assert.Equal(0.5m, second.ScoreOf("q3"));
        Assert.Equal("human", second.QuestionOf("q3").GetProperty("source").GetString());
        Assert.Equal(2m, second.QuestionOf("q3").GetProperty("auto_score").GetDecimal());
        Assert.Equal(3.5m, second.GetProperty("score").GetDecimal());
        Assert.Equal(5m, second.GetProperty("max_score").GetDecimal());

        var cleared = await author.PostAsJsonAsync($"/api/v1/sessions/{session}/regrade", new { clear_overrides = true });

        Assert.Equal(HttpStatusCode.Accepted, cleared.StatusCode);
        await WaitForRunsAsync(session, 3);
        var third = await author.WaitForResultAsync(session, "graded");
        Assert.Equal(2m, third.ScoreOf("q3"));
        Assert.Equal(5m, third.GetProperty("score").GetDecimal());
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'session.regrade' AND resource = @r", ("r", $"session/{session}")));
    }

    [Fact]
    public async Task PaperRegradeRegradesEveryClosedSessionAndLeavesOpenOnesAlone()
    {
        var (tenant, paper, author) = await PaperAsync(ChoicePaper(q1Key: ["3"]));
        var (a, sessionA) = await SubmittedAsync(tenant, paper, ("q1", new[] { "4" }));
        var (b, sessionB) = await SubmittedAsync(tenant, paper, ("q1", new[] { "3" }));
        var open = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var openSession = (await open.StartSessionAsync(paper)).Id();
        await a.WaitForResultAsync(sessionA);
        await b.WaitForResultAsync(sessionB);
        await App.PublishNewVersionAsync(tenant, paper, ChoicePaper(q1Key: ["4"]));

        var regrade = await author.PostAsync($"/api/v1/papers/{paper}/regrade", null);

        Assert.Equal(HttpStatusCode.Accepted, regrade.StatusCode);
        Assert.Equal(2, (await regrade.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessions").GetInt32());
        await WaitForRunsAsync(sessionA, 2);
        await WaitForRunsAsync(sessionB, 2);
        Assert.Equal(1m, (await a.WaitForResultAsync(sessionA)).ScoreOf("q1"));
        Assert.Equal(0m, (await b.WaitForResultAsync(sessionB)).ScoreOf("q1"));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND status = 'in_progress'", ("id", openSession)));
    }

    [Fact]
    public async Task RegradeIsRefusedForOpenSessionsCandidatesAndOtherTenants()
    {
        var (tenant, paper, author) = await PaperAsync(ChoicePaper());
        var (candidate, session) = await SubmittedAsync(tenant, paper);
        var open = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var openSession = (await open.StartSessionAsync(paper)).Id();
        var (_, _, stranger) = await PaperAsync(ChoicePaper());

        await (await author.PostAsync($"/api/v1/sessions/{openSession}/regrade", null)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await candidate.PostAsync($"/api/v1/sessions/{session}/regrade", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await candidate.PostAsync($"/api/v1/papers/{paper}/regrade", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await stranger.PostAsync($"/api/v1/sessions/{session}/regrade", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/api/v1/papers/{paper}/regrade", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await author.PostAsync($"/api/v1/sessions/{Guid.NewGuid()}/regrade", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await App.Client.PostAsync($"/api/v1/sessions/{session}/regrade", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        using var badBody = new StringContent("{\"clear_overrides\": \"yes\"}", System.Text.Encoding.UTF8, "application/json");
        await (await author.PostAsync($"/api/v1/sessions/{session}/regrade", badBody)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GradingSummaryCountsSessionsByStatusAndQuestionsByOutcome()
    {
        var (tenant, paper, author) = await PaperAsync(ChoicePaper());
        var (a, sessionA) = await SubmittedAsync(tenant, paper, ("q1", new[] { "4" }), ("q3", "def"));
        var (b, sessionB) = await SubmittedAsync(tenant, paper, ("q1", new[] { "3" }));
        await App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken).StartSessionAsync(paper);
        await a.WaitForResultAsync(sessionA);
        await b.WaitForResultAsync(sessionB);
        await author.PutAsJsonAsync($"/api/v1/sessions/{sessionB}/responses/q1/grade", new { score = 1, reason = "Ambiguous wording" });

        var summary = await author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper}/grading-summary");

        var sessions = summary.GetProperty("sessions");
        Assert.Equal(3, sessions.GetProperty("total").GetInt32());
        Assert.Equal(1, sessions.GetProperty("in_progress").GetInt32());
        Assert.Equal(2, sessions.GetProperty("graded").GetInt32());
        var q1 = summary.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("question_id").GetString() == "q1");
        Assert.Equal(2, q1.GetProperty("graded").GetInt32());
        Assert.Equal(1, q1.GetProperty("overridden").GetInt32());
        Assert.Equal(1m, q1.GetProperty("average_score").GetDecimal());
        Assert.Equal(0, summary.GetProperty("ai_agreement").GetProperty("reviewed_by_human").GetInt32());
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        await (await candidate.GetAsync($"/api/v1/papers/{paper}/grading-summary")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var (_, _, stranger) = await PaperAsync(ChoicePaper());
        await (await stranger.GetAsync($"/api/v1/papers/{paper}/grading-summary")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private Task WaitForRunsAsync(Guid session, int completed) =>
        Eventually.TrueAsync(
            async () => await App.CountAsync(
                "SELECT count(*) FROM workflow_runs WHERE workflow_type = 'grade-session' AND status = 'completed' AND (workflow_key = @first OR workflow_key LIKE @regrades)",
                ("first", $"grade:{session}"), ("regrades", $"regrade:{session}:%")) >= completed,
            TimeSpan.FromSeconds(30),
            $"{completed} grading runs of session {session} to complete");
}
