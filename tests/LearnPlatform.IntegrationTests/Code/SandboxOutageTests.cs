using static LearnPlatform.IntegrationTests.Code.CodePapers;

namespace LearnPlatform.IntegrationTests.Code;

/// <summary>An app whose sandbox is reached through a proxy that can drop or refuse runs (<see cref="SandboxFaultProxy"/>).</summary>
public sealed class FlakySandboxFixture : IAsyncLifetime
{
    public const int SandboxAttempts = 3;

    public SandboxFaultProxy Proxy { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Proxy = await SandboxFaultProxy.StartAsync((await TestSandbox.InstanceAsync()).BaseUrl);
        var sandbox = await TestSandbox.SettingsAsync(Proxy.BaseUrl);
        App = await TestApp.StartAsync(settings =>
        {
            sandbox(settings);
            settings["Grading:SandboxAttempts"] = SandboxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>A sandbox that cannot be reached or is busy: retried with backoff, never paid twice, then review.</summary>
public sealed class SandboxOutageTests(FlakySandboxFixture fixture) : IClassFixture<FlakySandboxFixture>
{
    private TestApp App => fixture.App;
    private SandboxFaultProxy Proxy => fixture.Proxy;

    [Fact]
    public async Task AnUnreachableSandboxIsRetriedThenTheAnswerWaitsForReview()
    {
        const string marker = "# unreachable-sandbox";
        Proxy.Fail(marker, SandboxFaultProxy.Fault.Drop);
        var (author, candidate, _, session) = await App.StartAsync(Paper());
        await candidate.SaveAsync(session, "c1", Correct + marker);

        await candidate.SubmitAsync(session);
        var result = await author.WaitForResultAsync(session, seconds: 60);

        Assert.Equal("needs_review", result.GetProperty("status").GetString());
        Assert.False(result.QuestionOf("c1").TryGetProperty("score", out _));
        Assert.Equal("Awaiting review (the code sandbox could not be reached)", result.FeedbackOf("c1"));
        Assert.Equal(FlakySandboxFixture.SandboxAttempts, Proxy.RunsWith(marker));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'completed' AND attempt = @a",
            ("k", $"grade:{session}"), ("a", FlakySandboxFixture.SandboxAttempts)));
    }

    [Fact]
    public async Task ABusySandboxIsRetriedAndARunAlreadyRecordedIsNeverRepeated()
    {
        const string first = "# first-answer", second = "# second-answer";
        Proxy.Fail(second, SandboxFaultProxy.Fault.Busy, times: 2);
        var (author, candidate, _, session) = await App.StartAsync(Paper(questions: [Add("c1"), Add("c2")]));
        await candidate.SaveAsync(session, "c1", Correct + first);
        await candidate.SaveAsync(session, "c2", Correct + second);

        await candidate.SubmitAsync(session);
        var result = await author.WaitForResultAsync(session, seconds: 60);

        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(2m, result.ScoreOf("c1"));
        Assert.Equal(2m, result.ScoreOf("c2"));
        // c1: its visible and hidden runs once each, though the run went round three times; c2: two refusals, then both runs.
        Assert.Equal(2, Proxy.RunsWith(first));
        Assert.Equal(4, Proxy.RunsWith(second));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'completed' AND attempt = 3", ("k", $"grade:{session}")));
    }

    [Fact]
    public async Task ARunTheSandboxCouldNotMakeIs503AndIsNotCounted()
    {
        const string marker = "# dropped-run";
        Proxy.Fail(marker, SandboxFaultProxy.Fault.Drop, times: 1);
        Proxy.Fail(marker, SandboxFaultProxy.Fault.Busy, times: 1);
        var (_, candidate, _, session) = await App.StartAsync(Practice());

        using var dropped = await candidate.RunAsync(session, "c1", Correct + marker);
        using var busy = await candidate.RunAsync(session, "c1", Correct + marker);
        using var ran = await candidate.RunAsync(session, "c1", Correct + marker);

        await dropped.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(dropped.Headers.RetryAfter);
        await busy.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        Assert.Equal(1, await App.CountAsync("SELECT code_runs FROM exam_sessions WHERE id = @s", ("s", session)));
    }
}
