using LearnPlatform.Core.Data;
using Npgsql;
using static LearnPlatform.Testing.GeminiReplies;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>
/// An app grading essays with a local Gemini stand-in. Leases are long and heartbeats rare, so what fences a grading
/// step after an erasure is the erasure itself, never a heartbeat that happens to notice the cancelled run first.
/// </summary>
public sealed class ErasureDuringGradingFixture : IAsyncLifetime
{
    internal GeminiStandIn Gemini { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gemini = await GeminiStandIn.StartAsync();
        App = await TestApp.StartAsync(settings =>
        {
            settings["Gemini:ApiKey"] = $"AIza-test-{Guid.NewGuid():N}";
            settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
            settings["Workflows:LeaseDuration"] = "00:10:00";
            settings["Workflows:HeartbeatInterval"] = "00:05:00";
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

public sealed class ErasureDuringGradingTests(ErasureDuringGradingFixture fixture) : IClassFixture<ErasureDuringGradingFixture>
{
    private TestApp App => fixture.App;

    private static readonly PaperSettings EssayPaper = new()
    {
        Title = "Essays",
        TimeLimitSeconds = 1800,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
            new Question { Id = "q4", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = "mutability (2), use cases (2), syntax (1)", Points = 5 },
        ],
    };

    private static Reply GradeQuoting(string quote) => Grade(new
    {
        items = new object[]
        {
            new { criterion = "mutability", score = 2, max = 2 },
            new { criterion = "use cases", score = 1, max = 2 },
            new { criterion = "syntax", score = 1, max = 1 },
        },
        total = 4,
        rationale = $"You wrote \"{quote}\": that explains mutability.",
        confidence = 0.9,
    });

    /// <summary>Waits until a statement of the app's, whose text holds one of <paramref name="fragments"/>, waits for a lock.</summary>
    private Task WaitingOnALockAsync(params string[] fragments) =>
        Eventually.TrueAsync(async () => await App.CountAsync("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ANY (@patterns)
            """, ("patterns", fragments.Select(f => $"%{f}%").ToArray())) > 0, TimeSpan.FromSeconds(60), $"a statement on {string.Join(" or ", fragments)} to wait for a lock");

    private async Task<Guid> GradingRunOfAsync(Guid session)
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT grading_run_id FROM exam_sessions WHERE id = @s", connection);
        command.Parameters.AddWithValue("s", session);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task AGradingStepThatEndsAfterTheErasureWritesNoFeedbackQuotingTheErasedAnswer()
    {
        var marker = $"ERASED-ANSWER-{Guid.NewGuid():N}";
        var t = await App.PrivacyTenantAsync();
        await App.SetRoleAsync(t.Id, t.Candidate.Uid, Roles.Candidate);
        var aiCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aiMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Gemini.Script(async context =>
        {
            aiCalled.TrySetResult();
            await aiMayAnswer.Task;
            await GradeQuoting(marker)(context);
        });
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id, EssayPaper))).Id();
        Assert.Equal(HttpStatusCode.OK, (await t.CandidateClient.SaveAsync(session, "q4", marker)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await t.CandidateClient.SubmitAsync(session)).StatusCode);
        await aiCalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var run = await GradingRunOfAsync(session);

        // The erasure runs up to the membership and waits there, holding the session's row and the cancelled run's.
        await using var blocker = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockMembership = new NpgsqlCommand("SELECT 1 FROM memberships WHERE tenant_id = @t AND uid = @u FOR UPDATE", blocker, hold))
        {
            lockMembership.Parameters.AddWithValue("t", t.Id);
            lockMembership.Parameters.AddWithValue("u", t.Candidate.Uid);
            await lockMembership.ExecuteNonQueryAsync();
        }
        var erasure = t.CandidateClient.EraseAsync(t.Candidate.Uid);
        await WaitingOnALockAsync("memberships");
        // Gemini answers: the AI step ends, and the run's next write (its checkpoint, or the save) meets the erasure.
        aiMayAnswer.SetResult();
        await WaitingOnALockAsync("workflow_steps", "grading_run_id");
        await hold.RollbackAsync();
        using var erased = await erasure;
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);

        // The run stops (it no longer holds its lease), or, unfenced, its save writes the feedback.
        await Eventually.TrueAsync(async () =>
            App.Logs.Lines.Any(l => l.Contains(run.ToString(), StringComparison.Ordinal) && l.Contains("no longer holds it", StringComparison.Ordinal))
            || await App.CountAsync("SELECT count(*) FROM question_grades WHERE session_id = @s", ("s", session)) > 0,
            TimeSpan.FromSeconds(60), "the grading run to stop or save");
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM question_grades WHERE session_id = @s", ("s", session)));
        // Never graded, and with its answers gone never to be: submitted, not "grading" for ever.
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM exam_sessions WHERE id = @s AND status = 'submitted' AND score IS NULL AND grading_run_id IS NULL", ("s", session)));
        await App.AssertNoTraceAsync(marker);
        await App.AssertNoTraceAsync(t.Candidate.Uid);
    }

    [Fact]
    public async Task ARegradeCancelledByTheErasureLeavesTheEarlierScoreMarkedForReview()
    {
        var t = await App.PrivacyTenantAsync();
        await App.SetRoleAsync(t.Id, t.Candidate.Uid, Roles.Candidate);
        var regradeCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var regradeMayAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Gemini.Script(GradeQuoting("tuples cannot change"), async context =>
        {
            regradeCalled.TrySetResult();
            await regradeMayAnswer.Task;
            await GradeQuoting("tuples cannot change")(context);
        });
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id, EssayPaper))).Id();
        Assert.Equal(HttpStatusCode.OK, (await t.CandidateClient.SaveAsync(session, "q4", "Lists change; tuples cannot change.")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await t.CandidateClient.SubmitAsync(session)).StatusCode);
        await Eventually.TrueAsync(async () => await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND status = 'graded'", ("s", session)) == 1,
            TimeSpan.FromSeconds(60), "the first grading");

        Assert.Equal(HttpStatusCode.Accepted, (await t.Admin.PostAsync($"/api/v1/sessions/{session}/regrade", null)).StatusCode);
        await regradeCalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var run = await GradingRunOfAsync(session);
        using var erased = await t.CandidateClient.EraseAsync(t.Candidate.Uid);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        regradeMayAnswer.SetResult();

        await Eventually.TrueAsync(() => Task.FromResult(
            App.Logs.Lines.Any(l => l.Contains(run.ToString(), StringComparison.Ordinal) && l.Contains("no longer holds it", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), "the cancelled regrade to stop");
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM exam_sessions WHERE id = @s AND status = 'needs_review' AND score IS NOT NULL AND graded_at IS NOT NULL AND grading_run_id IS NULL",
            ("s", session)));
    }
}
