using LearnPlatform.IntegrationTests.Ai;
using static LearnPlatform.Testing.GeminiReplies;

namespace LearnPlatform.IntegrationTests.Grading;

/// <summary>
/// A grading step that never finishes its Gemini call, because the step timed out or its process died, must not leave
/// the call counted against the session's caps; what Google may have billed for it is recorded at its worst case.
/// </summary>
public sealed class AiReservationTests
{
    private static async Task<(long Evaluations, long Total)> CountersAsync(TestApp app, Guid session) => (
        await app.CountAsync("SELECT coalesce(sum(n), 0) FROM ai_usage_counters WHERE scope = 'session:' || @s::text AND kind = 'evaluations'", ("s", session)),
        await app.CountAsync("SELECT coalesce(sum(n), 0) FROM ai_usage_counters WHERE scope = 'session:' || @s::text AND kind = 'total'", ("s", session)));

    [Fact]
    public async Task AGradingStepThatTimesOutGivesItsReservationBackAndItsCallIsBilledAtItsWorstCase()
    {
        await using var gemini = await GeminiStandIn.StartAsync();
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Gemini:ApiKey"] = AiAppFixture.PlatformKey;
            settings["Gemini:BaseUrl"] = gemini.BaseUrl.ToString();
            settings["Gemini:Timeout"] = "00:01:00";
            settings["Grading:AiStepTimeout"] = "00:00:03";
        });
        var tenant = await app.CreateTenantAsync();
        gemini.Script(Slow(TimeSpan.FromMinutes(2), AiCallPathTests.GoodGrade()), AiCallPathTests.GoodGrade());

        var (author, session) = await AiCallPathTests.SubmitEssayAsync(app, tenant, "Lists are mutable, tuples are not.");

        Assert.Equal(4m, (await author.WaitForResultAsync(session, seconds: 60)).ScoreOf("e1"));
        Assert.Equal(2, gemini.Requests.Count);
        // Counted once: the abandoned call gave its reservation back, the answered one kept it.
        await Eventually.TrueAsync(async () => await CountersAsync(app, session) == (1L, 1L), what: "the abandoned call's count to be given back");
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM ai_monthly_spend WHERE tenant_id = @t AND calls = 2 AND estimated_calls = 1 AND reserved_usd = 0", ("t", tenant)));
    }

    [Fact]
    public async Task AReservationOfAWorkerThatDiedIsReclaimedSoItsCallDoesNotCountTwice()
    {
        await using var gemini = await GeminiStandIn.StartAsync();
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        await using var app = await TestApp.StartAsync(settings => settings["Background:RunInApi"] = "false", database: database);
        var tenant = await app.CreateTenantAsync();
        var (author, session) = await AiCallPathTests.SubmitEssayAsync(app, tenant, "Lists are mutable, tuples are not.");
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
            ["Gemini__ApiKey"] = AiAppFixture.PlatformKey,
            ["Gemini__BaseUrl"] = gemini.BaseUrl.ToString(),
            ["Gemini__Timeout"] = "00:00:04",
            ["Ai__Calls__ReservationGrace"] = "00:00:01",
            ["Workflows__LeaseDuration"] = "00:00:03",
            ["Workflows__RescueInterval"] = "00:00:01",
            ["Workflows__PollInterval"] = "00:00:00.200",
        };

        gemini.Script(Slow(TimeSpan.FromMinutes(2), AiCallPathTests.GoodGrade()));
        await using (var doomed = HostProcess.Start("LearnPlatform.Worker", environment))
        {
            await Eventually.TrueAsync(() => Task.FromResult(gemini.Requests.Count == 1), TimeSpan.FromSeconds(90), "the first worker to call Gemini");
        } // killed mid-call, as an OOM kill or a lost node would

        // Past the dead call's reservation (Gemini's timeout plus the grace), so the next reservation reclaims it.
        await Task.Delay(TimeSpan.FromSeconds(6));
        gemini.Script(AiCallPathTests.GoodGrade());
        await using var survivor = HostProcess.Start("LearnPlatform.Worker", environment);

        Assert.Equal(4m, (await author.WaitForResultAsync(session, seconds: 120)).ScoreOf("e1"));
        Assert.Equal(2, gemini.Requests.Count);
        Assert.Equal((1L, 1L), await CountersAsync(app, session));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM ai_reservations"));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM ai_monthly_spend WHERE tenant_id = @t AND calls = 2 AND estimated_calls = 1 AND reserved_usd = 0", ("t", tenant)));
    }
}
