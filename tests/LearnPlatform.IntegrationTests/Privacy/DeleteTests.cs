using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Privacy;

public sealed class DeleteTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    // A new one per test: the class shares one database, and the trace scans look at all of it.
    private readonly string marker = $"ERASE-ME-{Guid.NewGuid():N}";

    private TestApp App => fixture.App;

    private string Answer => $"Lists change, tuples do not. {marker}";

    private async Task<(PrivacyTenant Tenant, Guid Session)> GradedAsync()
    {
        var t = await App.PrivacyTenantAsync();
        var paper = await App.PublishAsync(t.Id);
        var session = (await t.CandidateClient.StartSessionAsync(paper)).Id();
        await t.CandidateClient.SaveAsync(session, "q4", Answer);
        await t.CandidateClient.SubmitAsync(session);
        await t.Admin.WaitForResultAsync(session);
        await t.Admin.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 4, reason = $"Quotes: {marker}" });
        await t.Admin.PutAsJsonAsync($"/api/v1/accommodations/{t.Candidate.Uid}", new { extra_minutes = 15 });
        await t.CandidateClient.GrantMetricsConsentAsync();
        await App.SetRoleAsync(t.Id, t.Candidate.Uid, Roles.Candidate);
        return (t, session);
    }

    private static async Task<JsonElement> ErasedAsync(HttpClient client, string uid)
    {
        using var response = await client.EraseAsync(uid);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("erased", body.GetProperty("status").GetString());
        return body.GetProperty("counts");
    }

    [Fact]
    public async Task CandidateErasesThemselvesAnswersGoAndTheSessionKeepsItsScoreUnderAPseudonym()
    {
        var (t, session) = await GradedAsync();

        var counts = await ErasedAsync(t.CandidateClient, t.Candidate.Uid);

        Assert.Equal(1, counts.GetProperty("exam_sessions").GetInt32());
        Assert.Equal(1, counts.GetProperty("session_responses").GetInt32());
        Assert.Equal(1, counts.GetProperty("accommodations").GetInt32());
        Assert.Equal(1, counts.GetProperty("consents").GetInt32());
        Assert.Equal(1, counts.GetProperty("memberships").GetInt32());
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM exam_sessions WHERE id = @s AND candidate_uid ~ '^erased:[0-9a-f]{32}$' AND status = 'graded'", ("s", session)));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM question_grades WHERE session_id = @s AND override_score = 4 AND override_reason = '[erased]' AND auto_feedback IS NULL", ("s", session)));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u", ("t", t.Id), ("u", t.Candidate.Uid)));
        await App.AssertNoTraceAsync(t.Candidate.Uid);
        await App.AssertNoTraceAsync(marker);
    }

    [Fact]
    public async Task AnErasedSessionIsNotRegradedAndKeepsItsGrades()
    {
        var (t, session) = await GradedAsync();
        await ErasedAsync(t.CandidateClient, t.Candidate.Uid);
        var paper = (await (await t.Admin.GetAsync($"/api/v1/sessions/{session}")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paper_id").GetGuid();

        await (await t.Admin.PostAsync($"/api/v1/sessions/{session}/regrade", null)).AssertProblemAsync(HttpStatusCode.Conflict);
        using var paperRegrade = await t.Admin.PostAsync($"/api/v1/papers/{paper}/regrade", null);

        Assert.Equal(HttpStatusCode.Accepted, paperRegrade.StatusCode);
        Assert.Equal(0, (await paperRegrade.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessions").GetInt32());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND status = 'graded' AND grading_run_id IS NULL", ("s", session)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM question_grades WHERE session_id = @s AND override_score = 4", ("s", session)));
    }

    [Fact]
    public async Task RepeatingTheErasureAnswers404WithNothingLeftToErase()
    {
        var (t, _) = await GradedAsync();
        await ErasedAsync(t.CandidateClient, t.Candidate.Uid);

        await (await t.CandidateClient.EraseAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'privacy.erase'", ("t", t.Id)));
    }

    [Fact]
    public async Task ErasureIsAuditedWithoutTheUidUnderAPseudonymousSubject()
    {
        var (t, _) = await GradedAsync();
        var other = await App.PrivacyTenantAsync();
        await other.CandidateClient.GrantMetricsConsentAsync();

        await ErasedAsync(t.Admin, t.Candidate.Uid);
        await ErasedAsync(other.CandidateClient, other.Candidate.Uid);

        Assert.Equal(1, await App.CountAsync("""
            SELECT count(*) FROM audit_events
            WHERE tenant_id = @t AND action = 'privacy.erase' AND actor = @admin AND resource ~ '^user/erased:[0-9a-f]{32}$'
              AND details ->> 'requested_by' = 'admin' AND (details -> 'counts' ->> 'session_responses')::int = 1
            """, ("t", t.Id), ("admin", t.AdminUser.Uid)));
        // Erasing oneself: the requester is the subject, so the actor is the pseudonym as well.
        Assert.Equal(1, await App.CountAsync("""
            SELECT count(*) FROM audit_events
            WHERE tenant_id = @t AND action = 'privacy.erase' AND actor ~ '^erased:' AND resource = 'user/' || actor AND details ->> 'requested_by' = 'self'
            """, ("t", other.Id)));
        // The candidate's own earlier events keep their place in the trail, without the uid or the client address.
        Assert.Equal(3, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor ~ '^erased:' AND action IN ('session.start', 'session.submit', 'consent.grant') AND client_ip IS NULL",
            ("t", t.Id)));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'accommodation.set' AND actor = @admin AND resource ~ '^candidate/erased:'",
            ("t", t.Id), ("admin", t.AdminUser.Uid)));
    }

    [Fact]
    public async Task AnotherCandidateAnAuthorAndAGuestMayNotEraseSomeoneAndNothingChanges()
    {
        var (t, session) = await GradedAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(t.Id, Roles.Author)).IdToken);

        await (await t.OtherClient.EraseAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await author.EraseAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await App.Client.EraseAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await t.Admin.EraseAsync(new string('x', 129))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND candidate_uid = @u", ("s", session), ("u", t.Candidate.Uid)));
    }

    [Fact]
    public async Task ErasureLeavesOtherCandidatesAndTheSameUidInAnotherTenantUntouched()
    {
        var (t, _) = await GradedAsync();
        var foreign = await App.PrivacyTenantAsync();
        await foreign.Admin.PutAsJsonAsync($"/api/v1/accommodations/{t.Candidate.Uid}", new { extra_minutes = 5 });
        var paper = await App.PublishAsync(t.Id, TestPapers.Sample(maxAttempts: 2));
        var theirs = (await t.OtherClient.StartSessionAsync(paper)).Id();
        await t.OtherClient.SaveAsync(theirs, "q4", "OTHER-ANSWER");

        await ErasedAsync(t.Admin, t.Candidate.Uid);

        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t AND candidate_uid = @u", ("t", foreign.Id), ("u", t.Candidate.Uid)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND resource = @r", ("t", foreign.Id), ("r", $"candidate/{t.Candidate.Uid}")));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", theirs)));
    }

    [Fact]
    public async Task ErasureEndsAnAttemptInProgressSoNoLaterSaveLands()
    {
        var t = await App.PrivacyTenantAsync();
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id))).Id();
        await t.CandidateClient.SaveAsync(session, "q4", Answer);

        await ErasedAsync(t.CandidateClient, t.Candidate.Uid);

        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND status = 'submitted' AND submitted_at IS NOT NULL", ("s", session)));
        await (await t.CandidateClient.SaveAsync(session, "q4", Answer)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
    }

    [Fact]
    public async Task GradingRunInFlightIsCancelledAndCheckpointsOfTheUsersRunsAreBlanked()
    {
        var (t, session) = await GradedAsync();
        var running = await App.SeedGradingRunAsync(t.Id, session, t.Candidate.Uid, "AI says: ERASE-ME", status: "running");
        var done = await App.SeedGradingRunAsync(t.Id, session, "someone-else", "AI says: ERASE-ME too", status: "completed");
        var unrelated = await App.SeedGradingRunAsync(t.Id, Guid.CreateVersion7(), "someone-else", "KEEP-ME", status: "completed");
        // The session's real grading run (finished) has checkpoints of its own; every run of the tenant but one is the user's.
        var usersSteps = await App.CountAsync("SELECT count(*) FROM workflow_steps WHERE tenant_id = @t AND run_id <> @r", ("t", t.Id), ("r", unrelated));

        var counts = await ErasedAsync(t.Admin, t.Candidate.Uid);

        // The seeded run in flight, and the session's deadline timer (still waiting: the session ended early).
        Assert.Equal(2, counts.GetProperty("workflow_runs_cancelled").GetInt32());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE workflow_key = @k AND status = 'cancelled'", ("k", $"deadline:{session}")));
        Assert.True(usersSteps > 2, $"{usersSteps} checkpoints");
        Assert.Equal(usersSteps, counts.GetProperty("workflow_steps").GetInt64());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE id = @r AND status = 'cancelled' AND lease_owner IS NULL", ("r", running)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_runs WHERE id = @r AND status = 'completed'", ("r", done)));
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM workflow_steps WHERE run_id = ANY (@r) AND result = '{\"erased\": true}'", ("r", new[] { running, done })));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM workflow_steps WHERE run_id = @r AND result ->> 'feedback' = 'KEEP-ME'", ("r", unrelated)));
    }
}
