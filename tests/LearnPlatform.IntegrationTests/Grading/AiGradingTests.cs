using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;
using static LearnPlatform.Testing.GeminiReplies;

namespace LearnPlatform.IntegrationTests.Grading;

/// <summary>An app whose platform Gemini key points at a local stand-in speaking Gemini's REST API.</summary>
public sealed class GeminiAppFixture : IAsyncLifetime
{
    public const int AiAttempts = 3;

    internal GeminiStandIn Gemini { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;
    public string ApiKey { get; } = $"AIza-test-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        Gemini = await GeminiStandIn.StartAsync();
        App = await TestApp.StartAsync(settings =>
        {
            settings["Gemini:ApiKey"] = ApiKey;
            settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
            settings["Grading:AiAttempts"] = AiAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

/// <summary>Essays graded by Gemini inside grading runs: checkpoints, retries, giving up to review. Tests run one at a time, each using the stand-in's script in order.</summary>
public sealed class AiGradingTests(GeminiAppFixture fixture) : IClassFixture<GeminiAppFixture>
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    private static PaperSettings EssayPaper(params string[] essays) => new()
    {
        Title = "Essays",
        TimeLimitSeconds = 1800,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
            .. essays.Select(id => new Question { Id = id, Kind = QuestionKinds.Essay, Prompt = $"PROMPT-{id}: explain list vs tuple.", Rubric = "mutability (2), use cases (2), syntax (1)", Points = 5 }),
        ],
    };

    private static Reply GoodGrade(int mutability = 2, int useCases = 1, int syntax = 1, double confidence = 0.9) => Grade(new
    {
        items = new object[]
        {
            new { criterion = "mutability", score = mutability, max = 2 },
            new { criterion = "use cases", score = useCases, max = 2 },
            new { criterion = "syntax", score = syntax, max = 1 },
        },
        total = mutability + useCases + syntax,
        rationale = "Explains mutability; use cases are thin.",
        confidence,
    });

    private async Task<(Guid Tenant, HttpClient Author, HttpClient Candidate, Guid Session)> SubmittedAsync(PaperSettings paper, int essays = 1) =>
        await SubmittedAsyncIn(await App.CreateTenantAsync(), paper, essays);

    private async Task<(Guid Tenant, HttpClient Author, HttpClient Candidate, Guid Session)> SubmittedAsyncIn(Guid tenant, PaperSettings paper, int essays = 1)
    {
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paperId = await App.PublishAsync(tenant, paper);
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paperId)).Id();
        await candidate.SaveAsync(session, "q1", new[] { "4" });
        foreach (var question in paper.Questions.Where(q => q.Kind == QuestionKinds.Essay).Take(essays))
        {
            await candidate.SaveAsync(session, question.Id, $"ANSWER-{question.Id}: lists are mutable, tuples are not.");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        return (tenant, author, candidate, session);
    }

    private int RequestsFor(string questionId, int from) => Gemini.Requests.Skip(from).Count(r => r.UserText?.Contains($"PROMPT-{questionId}", StringComparison.Ordinal) == true);

    [Fact]
    public async Task EssayIsGradedByGeminiAndTheTotalAddsUp()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(GoodGrade(2, 1, 1));

        var (_, author, candidate, session) = await SubmittedAsync(EssayPaper("e1"));

        var result = await candidate.WaitForResultAsync(session);
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(4m, result.ScoreOf("e1"));
        Assert.Equal("ai", result.QuestionOf("e1").GetProperty("source").GetString());
        Assert.Equal("Explains mutability; use cases are thin.", result.QuestionOf("e1").GetProperty("feedback").GetString());
        Assert.Equal(5m, result.GetProperty("score").GetDecimal());
        Assert.Equal(6m, result.GetProperty("max_score").GetDecimal());
        var request = Assert.Single(Gemini.Requests.Skip(before));
        Assert.Equal(fixture.ApiKey, request.ApiKey);
        Assert.Equal("ANSWER-e1: lists are mutable, tuples are not.", request.DecodedAnswer);
        Assert.Empty(Gemini.Violations);
        Assert.DoesNotContain(App.Logs.Lines, line => line.Contains(fixture.ApiKey, StringComparison.Ordinal) || line.Contains("ANSWER-e1", StringComparison.Ordinal));
        _ = author;
    }

    [Fact]
    public async Task TheAiStepSpanCarriesModelAndTokenCountsButNoAnswerOrKey()
    {
        using var spans = new StepSpans();
        Gemini.Script(GoodGrade(2, 1, 1));

        var (_, _, candidate, session) = await SubmittedAsync(EssayPaper("e1"));
        Assert.Equal("graded", (await candidate.WaitForResultAsync(session)).GetProperty("status").GetString());

        var step = Assert.Single(await spans.GradingStepAsync(App, session, "ai:e1"));
        Assert.Equal("gemini-2.5-flash", step.GetTagItem("gen_ai.request.model"));
        Assert.Equal(120, step.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(40, step.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.DoesNotContain(spans.AllTagValues(), v => v.Contains("ANSWER-e1", StringComparison.Ordinal) || v.Contains(fixture.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GeminiOutageIsRetriedAndAGradingThatSucceededIsNeverPaidForTwice()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(GoodGrade(2, 2, 1), Unavailable(), Unavailable(), GoodGrade(1, 1, 1));

        var (_, _, candidate, session) = await SubmittedAsync(EssayPaper("e1", "e2"), essays: 2);

        var result = await candidate.WaitForResultAsync(session);
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(5m, result.ScoreOf("e1"));
        Assert.Equal(3m, result.ScoreOf("e2"));
        Assert.Equal(1, RequestsFor("e1", before));
        Assert.Equal(3, RequestsFor("e2", before));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'completed' AND attempt = 3", ("k", $"grade:{session}")));
    }

    [Fact]
    public async Task GeminiDownForGoodSendsTheAnswerToReviewAfterTheConfiguredAttempts()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(Enumerable.Range(0, GeminiAppFixture.AiAttempts).Select(_ => Unavailable()).ToArray());

        var (_, author, _, session) = await SubmittedAsync(EssayPaper("e1"));

        var result = await author.WaitForResultAsync(session);
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.False(result.QuestionOf("e1").TryGetProperty("score", out _));
        Assert.Contains("AI grading failed", result.QuestionOf("e1").GetProperty("feedback").GetString(), StringComparison.Ordinal);
        Assert.Equal(GeminiAppFixture.AiAttempts, RequestsFor("e1", before));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'completed'", ("k", $"grade:{session}")));
    }

    [Fact]
    public async Task InvalidKeyGoesToReviewWithoutRetryingAndTheKeyIsNeverLogged()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(InvalidKey(fixture.ApiKey));

        var (_, author, _, session) = await SubmittedAsync(EssayPaper("e1"));

        var result = await author.WaitForResultAsync(session);
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.Equal(1, RequestsFor("e1", before));
        Assert.DoesNotContain(App.Logs.Lines, line => line.Contains(fixture.ApiKey, StringComparison.Ordinal));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE last_error LIKE @k OR input::text LIKE @k", ("k", $"%{fixture.ApiKey}%")));
    }

    [Fact]
    public async Task MalformedAndOutOfRangeOutputIsRetriedThenReviewedInsteadOfInventingAGrade()
    {
        var before = Gemini.Requests.Count;
        var outOfRange = Grade(new
        {
            items = new object[] { new { criterion = "mutability", score = 9, max = 2 }, new { criterion = "use cases", score = 2, max = 2 }, new { criterion = "syntax", score = 1, max = 1 } },
            total = 12,
            rationale = "Full marks.",
            confidence = 1.0,
        });
        Gemini.Script(Text("{\"items\": [ {\"criterion\": \"mutab"), outOfRange, outOfRange);

        var (_, author, _, session) = await SubmittedAsync(EssayPaper("e1"));

        var result = await author.WaitForResultAsync(session);
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.False(result.QuestionOf("e1").TryGetProperty("score", out _));
        Assert.Equal(3, RequestsFor("e1", before));
    }

    [Fact]
    public async Task SummaryReportsHowOftenHumansAgreedWithTheAi()
    {
        Gemini.Script(GoodGrade(2, 1, 1), GoodGrade(2, 1, 1));
        var paper = EssayPaper("e1");
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paperId = await App.PublishAsync(tenant, paper);
        var sessions = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
            var session = (await candidate.StartSessionAsync(paperId)).Id();
            await candidate.SaveAsync(session, "e1", "An answer.");
            await candidate.SubmitAsync(session);
            await candidate.WaitForResultAsync(session);
            sessions.Add(session);
        }

        await author.PutAsJsonAsync($"/api/v1/sessions/{sessions[0]}/responses/e1/grade", new { score = 4.5, reason = "Close to the AI" });
        await author.PutAsJsonAsync($"/api/v1/sessions/{sessions[1]}/responses/e1/grade", new { score = 1, reason = "The AI was generous" });
        var summary = await author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paperId}/grading-summary");

        var agreement = summary.GetProperty("ai_agreement");
        Assert.Equal(2, agreement.GetProperty("graded_by_ai").GetInt32());
        Assert.Equal(2, agreement.GetProperty("reviewed_by_human").GetInt32());
        Assert.Equal(1, agreement.GetProperty("agreed").GetInt32());
        Assert.Equal(0.5, agreement.GetProperty("rate").GetDouble());
    }

    [Fact]
    public async Task AiGradingCountsAgainstTheSessionsEvaluationCapAndPastItAnswersWaitForAHuman()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(GoodGrade(2, 2, 1));
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paperId = await App.PublishAsync(tenant, EssayPaper("e1", "e2"));
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paperId)).Id();
        await candidate.SaveAsync(session, "e1", "ANSWER-e1: lists are mutable.");
        await candidate.SaveAsync(session, "e2", "ANSWER-e2: tuples are not.");
        // 99 of the default 100 evaluations of the session already used.
        await App.ExecuteAsync(
            "INSERT INTO ai_usage_counters (tenant_id, scope, subject, kind, n, updated_at) VALUES (@t, 'session:' || @s::text, @s::text, 'evaluations', 99, now())",
            ("t", tenant), ("s", session));

        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);

        var result = await author.WaitForResultAsync(session);
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.Equal(5m, result.ScoreOf("e1"));
        var capped = result.QuestionOf("e2");
        Assert.False(capped.TryGetProperty("score", out _));
        Assert.Equal("Awaiting review (the session's AI evaluations cap is reached)", capped.GetProperty("feedback").GetString());
        Assert.Single(Gemini.Requests.Skip(before));
        Assert.Equal(100, await App.CountAsync("SELECT n FROM ai_usage_counters WHERE scope = 'session:' || @s::text AND kind = 'evaluations'", ("s", session)));
        Assert.Equal(1, await App.CountAsync("SELECT n FROM ai_usage_counters WHERE scope = 'session:' || @s::text AND kind = 'total'", ("s", session)));
    }

    [Fact]
    public async Task AiGradingAddsToTheTenantsMonthlySpendAndStopsAtItsCap()
    {
        var before = Gemini.Requests.Count;
        Gemini.Script(GoodGrade(2, 2, 1)); // the stand-in reports 120 prompt and 40 output tokens

        var (tenant, author, _, first) = await SubmittedAsync(EssayPaper("e1"));
        Assert.Equal("graded", (await author.WaitForResultAsync(first)).GetProperty("status").GetString());

        // 120 × $0.30 + 40 × $2.50 per million tokens, at the default prices.
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM ai_monthly_spend WHERE tenant_id = @t AND calls = 1 AND input_tokens = 120 AND output_tokens = 40 AND usd = 0.000136", ("t", tenant)));

        await App.ExecuteAsync("UPDATE ai_monthly_spend SET usd = 100 WHERE tenant_id = @t", ("t", tenant));
        var (_, author2, _, second) = await SubmittedAsyncIn(tenant, EssayPaper("e1"));
        var result = await author2.WaitForResultAsync(second);

        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.Equal("Awaiting review (the tenant's monthly AI spend cap is reached)", result.QuestionOf("e1").GetProperty("feedback").GetString());
        Assert.Single(Gemini.Requests.Skip(before));
    }
}
