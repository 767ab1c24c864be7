using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>Erasure acts on users only, never takes the tenant's last admin, and rewrites only the subject's own audit fields.</summary>
public sealed class ErasureRefusalTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private Task SeedAuditAsync(Guid tenant, string actor, string action, string resource, string detailsJson) =>
        App.ExecuteAsync("""
            INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome, client_ip, details)
            VALUES (gen_random_uuid(), @t, now(), @a, @action, @r, 'success', '203.0.113.0', @d::jsonb)
            """, ("t", tenant), ("a", actor), ("action", action), ("r", resource), ("d", detailsJson));

    [Theory]
    [InlineData("system")]
    [InlineData("operator")]
    [InlineData("admin")]
    [InlineData("anonymous")]
    [InlineData("*")]
    [InlineData("guest:0193a5c0-0000-7000-8000-000000000001")]
    public async Task ErasingANameThatIsNoUsersAnswers404AndTheAuditTrailKeepsIt(string name)
    {
        var t = await App.PrivacyTenantAsync();
        await SeedAuditAsync(t.Id, name, "session.submit", "session/x", JsonSerializer.Serialize(new { role = name, reason = "deadline" }));

        await (await t.Admin.EraseAsync(name)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await t.Admin.ExportAsync(name)).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = @n AND details ->> 'role' = @n AND client_ip IS NOT NULL", ("t", t.Id), ("n", name)));
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'privacy.erase'", ("t", t.Id)));
    }

    [Fact]
    public async Task ErasingAPseudonymErasureMadeAnswers404AndTheSessionKeepsIt()
    {
        var t = await App.PrivacyTenantAsync();
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id))).Id();
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.EraseAsync(t.Candidate.Uid)).StatusCode);
        var pseudonym = await App.CandidateOfAsync(session);
        Assert.StartsWith("erased:", pseudonym, StringComparison.Ordinal);

        await (await t.Admin.EraseAsync(pseudonym)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await t.Admin.ExportAsync(pseudonym)).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(pseudonym, await App.CandidateOfAsync(session));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'privacy.erase'", ("t", t.Id)));
    }

    [Fact]
    public async Task ErasingAUidThatHoldsNoDataAnswers404AndIsNotAudited()
    {
        var t = await App.PrivacyTenantAsync();

        var problem = await (await t.Admin.EraseAsync($"nobody-{Guid.NewGuid():N}")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("does not exist", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'privacy.erase'", ("t", t.Id)));
    }

    [Fact]
    public async Task TheLastAdminCannotBeErasedUntilAnotherMemberIsAdmin()
    {
        var t = await App.PrivacyTenantAsync();

        var problem = await (await t.Admin.EraseAsync(t.AdminUser.Uid)).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Contains("last admin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u AND role = 'admin'", ("t", t.Id), ("u", t.AdminUser.Uid)));
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.PutAsJsonAsync($"/api/v1/members/{t.Other.Uid}", new { role = Roles.Admin })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.EraseAsync(t.AdminUser.Uid)).StatusCode);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u", ("t", t.Id), ("u", t.AdminUser.Uid)));
    }

    [Fact]
    public async Task ErasureRewritesTheSubjectsOwnAuditFieldsAndNoOtherStringThatEqualsTheUid()
    {
        var t = await App.PrivacyTenantAsync();
        var uid = t.Candidate.Uid;
        await t.CandidateClient.GrantMetricsConsentAsync();
        // Someone else's event whose details merely hold an equal string, and a refusal of a route that named the user.
        await SeedAuditAsync(t.Id, t.AdminUser.Uid, "paper.create", "paper/x", JsonSerializer.Serialize(new { title = uid }));
        await SeedAuditAsync(t.Id, t.Other.Uid, "access.denied", "route/GET /api/v1/users/{uid}/export", JsonSerializer.Serialize(new { role = Roles.Candidate, ids = new { uid } }));
        var exported = await t.Admin.ExportSectionsAsync(uid);

        Assert.Equal(HttpStatusCode.OK, (await t.Admin.EraseAsync(uid)).StatusCode);

        Assert.Equal(["consent.grant", "access.denied"], exported.GetProperty("audit_events").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'paper.create' AND details ->> 'title' = @u", ("t", t.Id), ("u", uid)));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'access.denied' AND actor = @other AND client_ip IS NOT NULL AND details -> 'ids' ->> 'uid' ~ '^erased:[0-9a-f]{32}$'",
            ("t", t.Id), ("other", t.Other.Uid)));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'consent.grant' AND actor ~ '^erased:' AND client_ip IS NULL", ("t", t.Id)));
    }
}
