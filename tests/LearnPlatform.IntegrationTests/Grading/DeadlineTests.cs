using LearnPlatform.Core.Data;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.IntegrationTests.Grading;

/// <summary>The server submits a session left open at its deadline, through a durable timer, with a clock the tests move.</summary>
public sealed class DeadlineTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private static async Task<string> StatusAsync(TestApp app, Guid session)
    {
        foreach (var status in new[] { "in_progress", "submitted", "grading", "graded", "needs_review" })
        {
            if (await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND status = @s", ("id", session), ("s", status)) == 1)
            {
                return status;
            }
        }
        throw new InvalidOperationException($"session {session} not found");
    }

    private static Task WaitUntilClosedAsync(TestApp app, Guid session) =>
        Eventually.TrueAsync(async () => await StatusAsync(app, session) != "in_progress", what: $"session {session} to be submitted at its deadline");

    private static async Task<(Guid Tenant, HttpClient Candidate, Guid Session)> StartedAsync(TestApp app, int timeLimitSeconds = 60)
    {
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, GradingRunTests.ChoicePaper() with { TimeLimitSeconds = timeLimitSeconds });
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        await candidate.SaveAsync(session, "q1", new[] { "4" });
        return (tenant, candidate, session);
    }

    [Fact]
    public async Task SessionLeftOpenIsSubmittedAndGradedByTheServerAtItsDeadline()
    {
        var (_, candidate, session) = await StartedAsync(App);

        fixture.Clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(700);
        Assert.Equal("in_progress", await StatusAsync(App, session));
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));

        await WaitUntilClosedAsync(App, session);
        var result = await candidate.WaitForResultAsync(session);
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(1m, result.GetProperty("score").GetDecimal());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND submitted_at = deadline", ("id", session)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE resource = @r AND action = 'session.submit' AND actor = 'system'", ("r", $"session/{session}")));
    }

    [Fact]
    public async Task ExtendedSessionIsSubmittedAtItsNewDeadlineNotTheOldOne()
    {
        var (tenant, _, session) = await StartedAsync(App);
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/sessions/{session}/extend", new { extra_minutes = 10 })).StatusCode);

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        await Task.Delay(1000);
        Assert.Equal("in_progress", await StatusAsync(App, session));
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        await WaitUntilClosedAsync(App, session);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND submitted_at = deadline", ("id", session)));
    }

    [Fact]
    public async Task DeadlineThatPassedWhileNoProcessRanIsSubmittedWhenOneStarts()
    {
        var clock = new ManualClock();
        var first = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var (_, _, session) = await StartedAsync(first);
        var database = first.Database;
        await first.DisposeAsync();

        clock.Advance(TimeSpan.FromMinutes(5));
        await using var second = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<TimeProvider>(clock), database: database);

        await WaitUntilClosedAsync(second, session);
        Assert.Equal(1, await second.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @id AND submitted_at = deadline", ("id", session)));
    }
}
