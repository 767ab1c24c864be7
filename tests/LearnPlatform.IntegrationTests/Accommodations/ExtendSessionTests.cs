namespace LearnPlatform.IntegrationTests.Accommodations;

public sealed class ExtendSessionTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(Guid Tenant, HttpClient Admin, HttpClient Candidate, Guid Session, DateTimeOffset Deadline)> StartedAsync(int timeLimitSeconds = 600)
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: timeLimitSeconds));
        var session = (await candidate.StartSessionAsync(paper)).Id();
        return (tenant, admin, candidate, session, await StoredDeadlineAsync(candidate, session));
    }

    private static async Task<DateTimeOffset> StoredDeadlineAsync(HttpClient client, Guid session) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}")).GetProperty("deadline").GetDateTimeOffset();

    [Fact]
    public async Task ExtendMovesTheDeadlineSoASaveAfterTheOldDeadlineSucceeds()
    {
        var (_, admin, candidate, session, deadline) = await StartedAsync(timeLimitSeconds: 600);

        var response = await admin.ExtendAsync(session, 10);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var extended = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(session, extended.Id());
        Assert.Equal(deadline.AddMinutes(10), extended.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(deadline.AddMinutes(10), await StoredDeadlineAsync(candidate, session));
        fixture.Clock.Advance(TimeSpan.FromSeconds(600 + 60));
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, "q3", "def")).StatusCode);
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await candidate.SaveAsync(session, "q3", "lambda")).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ExtensionsAddUpEvenWhenTheyRace()
    {
        var (_, admin, candidate, session, deadline) = await StartedAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => admin.ExtendAsync(session, 2)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(deadline.AddMinutes(10), await StoredDeadlineAsync(candidate, session));
    }

    [Fact]
    public async Task ExtendingASubmittedSessionIsAConflictAndChangesNothing()
    {
        var (tenant, admin, candidate, session, deadline) = await StartedAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);

        var response = await admin.ExtendAsync(session, 10);

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(deadline, await StoredDeadlineAsync(candidate, session));
        Assert.Equal(0, await App.AuditCountAsync(tenant, "session.extend", $"session/{session}"));
    }

    [Fact]
    public async Task ExtendingAGradedSessionIsAConflict()
    {
        var (_, admin, _, session, _) = await StartedAsync();
        await App.CountAsync("WITH graded AS (UPDATE exam_sessions SET status = 'graded' WHERE id = @id RETURNING 1) SELECT count(*) FROM graded", ("id", session));

        await (await admin.ExtendAsync(session, 10)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ExtendingASessionAlreadyPastItsDeadlineIsAConflict()
    {
        var (_, admin, candidate, session, deadline) = await StartedAsync(timeLimitSeconds: 60);
        fixture.Clock.Advance(TimeSpan.FromSeconds(61));

        var response = await admin.ExtendAsync(session, 10);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("deadline", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(deadline, await StoredDeadlineAsync(candidate, session));
    }

    [Fact]
    public async Task AnotherTenantsOrAnUnknownSessionIsNotFound()
    {
        var (_, _, candidate, session, deadline) = await StartedAsync();
        var (_, otherAdmin, _) = await App.TenantWithAdminAsync();

        await (await otherAdmin.ExtendAsync(session, 10)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await otherAdmin.ExtendAsync(Guid.CreateVersion7(), 10)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(deadline, await StoredDeadlineAsync(candidate, session));
    }

    [Fact]
    public async Task ExtensionIsAuditedWithTheMinutesAndTheNewDeadline()
    {
        var (tenant, admin, _, session, _) = await StartedAsync();

        await admin.ExtendAsync(session, 25);

        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'session.extend' AND resource = @r AND (details->>'extra_minutes')::int = 25 AND details ? 'deadline'",
            ("t", tenant), ("r", $"session/{session}")));
    }

    [Fact]
    public async Task ExtendedGuestSessionKeepsItsGuestTokenValidForTheExtraTime()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600, guestAccess: true));
        var created = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();
        var session = created.GetProperty("session").Id();
        var guest = App.ClientWithGuestToken(created.GetProperty("guest_token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, (await admin.ExtendAsync(session, 60)).StatusCode);
        // Past the old deadline plus the token's grace, inside the extra hour.
        fixture.Clock.Advance(TimeSpan.FromMinutes(10 + 30));

        Assert.Equal(HttpStatusCode.OK, (await guest.SaveAsync(session, "q3", "def")).StatusCode);
    }
}
