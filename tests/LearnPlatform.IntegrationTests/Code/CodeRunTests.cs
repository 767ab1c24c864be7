using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;
using static LearnPlatform.IntegrationTests.Code.CodePapers;

namespace LearnPlatform.IntegrationTests.Code;

/// <summary>POST /api/v1/sessions/{id}/responses/{question_id}/run: the candidate's code against the visible tests, in the real sandbox.</summary>
public sealed class CodeRunTests(SandboxAppFixture fixture) : IClassFixture<SandboxAppFixture>
{
    private TestApp App => fixture.App;

    private static readonly Question Choice = new() { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 };

    private Task<long> CodeRunsOfAsync(Guid session) => App.CountAsync("SELECT code_runs FROM exam_sessions WHERE id = @s", ("s", session));

    [Fact]
    public async Task RunOfTheSavedAnswerShowsVisibleTestsAndOutputButNoHiddenTest()
    {
        var (_, candidate, _, session) = await App.StartAsync(Practice());
        await candidate.SaveAsync(session, "c1", "print('hello from the run')\n" + Correct);

        using var response = await candidate.RunAsync(session, "c1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var run = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal("passed", run.GetProperty("status").GetString());
        Assert.Equal(["add(2, 3)", "add(-1, 1)"], run.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("call").GetString()));
        var first = run.GetProperty("tests")[0];
        Assert.Equal("5", first.GetProperty("expected").GetString());
        Assert.Equal("5", first.GetProperty("actual").GetString());
        Assert.True(first.GetProperty("passed").GetBoolean());
        Assert.Equal("hello from the run\n", run.GetProperty("stdout").GetString());
        Assert.Equal("", run.GetProperty("stderr").GetString());
        Assert.True(run.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.DoesNotContain("1000003", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"hidden\"", body, StringComparison.Ordinal);
        Assert.Equal(1, await CodeRunsOfAsync(session));
        var view = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        Assert.True(view.GetProperty("code_runs_allowed").GetBoolean());
    }

    [Fact]
    public async Task RunOfCodeInTheBodyLeavesTheSavedAnswerAsItWas()
    {
        var (_, candidate, _, session) = await App.StartAsync(Practice());
        await candidate.SaveAsync(session, "c1", Correct);

        using var response = await candidate.RunAsync(session, "c1", "def add(a, b):\n    return a - b\n");

        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("-1", run.GetProperty("tests")[0].GetProperty("actual").GetString());
        Assert.False(run.GetProperty("tests")[0].GetProperty("passed").GetBoolean());
        var saved = (await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}")).GetProperty("responses")[0];
        Assert.Equal(Correct, saved.GetProperty("answer").GetString());
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ARunThatLoopsOrFailsIsAnAnswerNotAnError()
    {
        var (_, candidate, _, session) = await App.StartAsync(Practice());

        var looping = await (await candidate.RunAsync(session, "c1", "while True:\n    pass\n")).Content.ReadFromJsonAsync<JsonElement>();
        var broken = await (await candidate.RunAsync(session, "c1", "def add(a, b) return a + b\n")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("timeout", looping.GetProperty("status").GetString());
        Assert.Equal("time limit exceeded", looping.GetProperty("tests")[0].GetProperty("error").GetString());
        Assert.Equal("error", broken.GetProperty("status").GetString());
        Assert.StartsWith("the program failed: SyntaxError", broken.GetProperty("tests")[0].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExamPapersAllowRunsOnlyWithAllowCodeRuns()
    {
        var (_, closed, _, closedSession) = await App.StartAsync(Paper());
        var (_, open, _, openSession) = await App.StartAsync(Paper(allowCodeRuns: true));

        var refused = await (await closed.RunAsync(closedSession, "c1", Correct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var allowed = await open.RunAsync(openSession, "c1", Correct);

        Assert.Equal("Running code is not available during this exam.", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(0, await CodeRunsOfAsync(closedSession));
        Assert.False((await closed.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{closedSession}")).GetProperty("code_runs_allowed").GetBoolean());
    }

    [Fact]
    public async Task RunsAfterSubmitOrPastTheDeadlineAreConflicts()
    {
        var (_, candidate, _, submitted) = await App.StartAsync(Practice());
        await candidate.SubmitAsync(submitted);
        var (_, late, _, expired) = await App.StartAsync(Practice());
        await App.ExecuteAsync("UPDATE exam_sessions SET started_at = now() - interval '1 hour', deadline = now() - interval '1 second' WHERE id = @s", ("s", expired));

        var afterSubmit = await (await candidate.RunAsync(submitted, "c1", Correct)).AssertProblemAsync(HttpStatusCode.Conflict);
        var pastDeadline = await (await late.RunAsync(expired, "c1", Correct)).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("The session is submitted; code can no longer be run.", afterSubmit.GetProperty("detail").GetString());
        Assert.Equal("The session's deadline has passed; code can no longer be run.", pastDeadline.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RunsPastTheSessionCapAre429UntilTheDeadline()
    {
        var (_, candidate, _, session) = await App.StartAsync(Practice());
        await App.ExecuteAsync("UPDATE exam_sessions SET code_runs = 99 WHERE id = @s", ("s", session));

        using var last = await candidate.RunAsync(session, "c1", Correct);
        using var over = await candidate.RunAsync(session, "c1", Correct);

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        var problem = await over.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("code_runs", problem.GetProperty("cap").GetString());
        Assert.Equal(100, problem.GetProperty("limit").GetInt32());
        var retryAfter = over.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(30));
        Assert.Equal(100, await CodeRunsOfAsync(session));
    }

    [Fact]
    public async Task GuestsRunCodeInTheirOwnSessionOnly()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, Practice());
        async Task<(HttpClient Client, Guid Session)> GuestAsync()
        {
            var started = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
            var body = await started.Content.ReadFromJsonAsync<JsonElement>();
            return (App.ClientWithGuestToken(body.GetProperty("guest_token").GetString()!), body.GetProperty("session").Id());
        }
        var (guest, session) = await GuestAsync();
        var (_, otherSession) = await GuestAsync();

        using var own = await guest.RunAsync(session, "c1", Correct);
        using var other = await guest.RunAsync(otherSession, "c1", Correct);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await other.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RunsOfWhatIsNotTheCallersOwnCodeQuestionAreRefused()
    {
        var (_, candidate, _, session) = await App.StartAsync(Practice(Add(), Choice));
        var stranger = App.ClientWithBearer((await App.SignUpAsync((await App.CreateTenantAsync()))).IdToken);

        await (await stranger.RunAsync(session, "c1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await candidate.RunAsync(session, "q1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await candidate.RunAsync(session, "nope", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await candidate.RunAsync(Guid.NewGuid(), "c1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        var nothingSaved = await (await candidate.RunAsync(session, "c1")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var tooLong = await (await candidate.RunAsync(session, "c1", new string('#', 100_001))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await candidate.PostAsJsonAsync($"/api/v1/sessions/{session}/responses/c1/run", new { code = 42 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var notJson = await candidate.PostAsync($"/api/v1/sessions/{session}/responses/c1/run", new StringContent("print(1)", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal("Send code, or save an answer to this question first.", nothingSaved.GetProperty("errors").GetProperty("code")[0].GetString());
        Assert.Equal("The code may have at most 100000 characters.", tooLong.GetProperty("errors").GetProperty("code")[0].GetString());
        await notJson.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await CodeRunsOfAsync(session));
    }
}

/// <summary>The per-principal code_runs rate limit, on both routes that run code.</summary>
public sealed class CodeRunRateLimitTests : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        var sandbox = await TestSandbox.SettingsAsync();
        app = await TestApp.StartAsync(settings =>
        {
            sandbox(settings);
            settings["RateLimits:Policies:code_runs:PermitLimit"] = "2";
        });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task TheThirdRunInAMinuteIs429WithRetryAfter()
    {
        var (author, candidate, paper, session) = await app.StartAsync(Practice());

        Assert.Equal(HttpStatusCode.OK, (await candidate.RunAsync(session, "c1", Correct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await candidate.RunAsync(session, "c1", Correct)).StatusCode);
        using var limited = await candidate.RunAsync(session, "c1", Correct);
        Assert.Equal(HttpStatusCode.OK, (await author.CheckAsync(paper, "c1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await author.CheckAsync(paper, "c1")).StatusCode);
        using var authorLimited = await author.CheckAsync(paper, "c1");

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        await authorLimited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(2, await app.CountAsync("SELECT code_runs FROM exam_sessions WHERE id = @s", ("s", session)));
    }
}

/// <summary>Without Sandbox__BaseUrl nothing runs code: the routes say so and code answers wait for review.</summary>
public sealed class CodeWithoutSandboxTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task RunsAndChecksAre503AndCodeAnswersWaitForReview()
    {
        var app = fixture.App;
        var (author, candidate, paper, session) = await app.StartAsync(Practice());
        await candidate.SaveAsync(session, "c1", Correct);

        var run = await (await candidate.RunAsync(session, "c1")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        await (await author.CheckAsync(paper, "c1")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        await candidate.SubmitAsync(session);
        var result = await author.WaitForResultAsync(session);

        Assert.Equal("Running code is not available: no code sandbox is configured.", run.GetProperty("detail").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT code_runs FROM exam_sessions WHERE id = @s", ("s", session)));
        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.Equal("Awaiting review (no code sandbox configured)", result.FeedbackOf("c1"));
    }
}
