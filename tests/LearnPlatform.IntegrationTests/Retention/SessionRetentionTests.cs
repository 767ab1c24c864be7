using LearnPlatform.Core.Data;
using LearnPlatform.Core.Retention;
using LearnPlatform.IntegrationTests.Audit;
using LearnPlatform.IntegrationTests.Privacy;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Retention;

/// <summary>Sessions past retention go with everything hanging on them, on real PostgreSQL; attempts stay counted.</summary>
public sealed class SessionRetentionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private Task<SessionPurge> PurgeAsync() => App.Service<DataRetention>().PurgeSessionsAsync(CancellationToken.None);

    private async Task<(HttpClient Client, TestUser User, Guid Session, Guid Paper)> SessionAsync(Guid tenant, int maxAttempts = 1)
    {
        var user = await App.SignUpAsync(tenant);
        var client = App.ClientWithBearer(user.IdToken);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(maxAttempts: maxAttempts));
        var session = (await client.StartSessionAsync(paper)).Id();
        Assert.Equal(HttpStatusCode.OK, (await client.SaveAsync(session, "q3", "def")).StatusCode);
        return (client, user, session, paper);
    }

    /// <summary>As grading leaves a session, that many days ago (set directly: a grading run would stamp it now).</summary>
    private Task GradedDaysAgoAsync(Guid session, int days) =>
        App.ExecuteAsync("""
            UPDATE exam_sessions SET status = 'graded', submitted_at = now() - make_interval(days => @d), graded_at = now() - make_interval(days => @d)
            WHERE id = @s
            """, ("d", days), ("s", session));

    private Task<long> SessionsAsync(Guid session) => App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s", ("s", session));

    [Fact]
    public async Task GradedSessionsPastTheDefaultYearGoWithTheirAnswersAndYoungerOnesStay()
    {
        var tenant = await App.CreateTenantAsync();
        var old = await SessionAsync(tenant);
        var young = await SessionAsync(tenant);
        var waiting = await SessionAsync(tenant);
        await GradedDaysAgoAsync(old.Session, 366);
        await GradedDaysAgoAsync(young.Session, 364);
        await App.ExecuteAsync("UPDATE exam_sessions SET status = 'needs_review', graded_at = now() - interval '500 days' WHERE id = @s", ("s", waiting.Session));

        await PurgeAsync();

        Assert.Equal(0, await SessionsAsync(old.Session));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", old.Session)));
        Assert.Equal(1, await SessionsAsync(young.Session));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", young.Session)));
        // A session still waiting for a human is never deleted: nothing saved is lost before it is graded.
        Assert.Equal(1, await SessionsAsync(waiting.Session));
    }

    [Fact]
    public async Task APurgedSessionStillCountsAgainstTheAttemptLimit()
    {
        var tenant = await App.CreateTenantAsync();
        var (client, _, session, paper) = await SessionAsync(tenant);
        // As a session started before the ledger existed: no ledger row.
        await App.ExecuteAsync("DELETE FROM attempt_ledger WHERE paper_id = @p", ("p", paper));
        await GradedDaysAgoAsync(session, 400);

        await PurgeAsync();

        Assert.Equal(0, await SessionsAsync(session));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM attempt_ledger WHERE paper_id = @p AND attempts = 1", ("p", paper)));
        var again = await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });
        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ATenantsOwnSessionRetentionOverridesTheDefaultForItsSessionsOnly()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);
        using (var put = await admin.PutAsJsonAsync("/api/v1/retention/settings", new { session_days = 60 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var view = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((60, 30, false), (view.GetProperty("session_days").GetInt32(), view.GetProperty("guest_session_days").GetInt32(), view.GetProperty("is_default").GetBoolean()));
        }
        var mine = await SessionAsync(tenant);
        var theirs = await SessionAsync(other);
        await GradedDaysAgoAsync(mine.Session, 61);
        await GradedDaysAgoAsync(theirs.Session, 61);

        await PurgeAsync();

        Assert.Equal(0, await SessionsAsync(mine.Session));
        Assert.Equal(1, await SessionsAsync(theirs.Session));
        Assert.Single(await App.AuditRowsAsync("tenant_id = @t AND action = 'retention.settings.update'", ("t", tenant)));
    }

    [Theory]
    [InlineData("{\"session_days\": 29}")]
    [InlineData("{\"session_days\": 3651}")]
    [InlineData("{\"session_days\": \"365\"}")]
    [InlineData("{}")]
    [InlineData("{\"session_days\": 365, \"guest_session_days\": 1}")]
    public async Task ASessionRetentionOutsideThirtyDaysToTenYearsIsRefused(string body)
    {
        var tenant = await App.CreateTenantAsync();
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);

        using var response = await admin.PutAsync("/api/v1/retention/settings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/v1/retention/settings");
        Assert.Equal((365, true), (view.GetProperty("session_days").GetInt32(), view.GetProperty("is_default").GetBoolean()));
    }

    [Fact]
    public async Task OnlyAdminsReadOrSetTheRetention()
    {
        var tenant = await App.CreateTenantAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);

        await (await candidate.GetAsync("/api/v1/retention/settings")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await candidate.PutAsJsonAsync("/api/v1/retention/settings", new { session_days = 30 })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await App.Client.GetAsync("/api/v1/retention/settings")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GuestSessionsGoThirtyDaysAfterTheyStartedWithTheirTokens()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var sessions = new List<Guid>();
        foreach (var days in new[] { 31, 29 })
        {
            var response = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
            var session = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session").Id();
            await App.ExecuteAsync("""
                UPDATE exam_sessions SET started_at = now() - make_interval(days => @d), deadline = now() - make_interval(days => @d) + interval '30 minutes'
                WHERE id = @s
                """, ("d", days), ("s", session));
            sessions.Add(session);
        }

        await PurgeAsync();

        Assert.Equal(0, await SessionsAsync(sessions[0]));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM guest_tokens WHERE session_id = @s", ("s", sessions[0])));
        Assert.Equal(1, await SessionsAsync(sessions[1]));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM guest_tokens WHERE session_id = @s", ("s", sessions[1])));
    }

    [Fact]
    public async Task TheApplicationRoleCannotDeleteSessionsItself()
    {
        var tenant = await App.CreateTenantAsync();
        var (_, _, session, _) = await SessionAsync(tenant);
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false); DELETE FROM exam_sessions", connection);
        command.Parameters.AddWithValue("t", tenant.ToString());

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(1, await SessionsAsync(session));
    }
}
