using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>Each audited action leaves one row with who, what, where from and how it went, in the actor's tenant.</summary>
public sealed class AuditCoverageTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task SessionStartAndSubmitAreAuditedWithTheCandidateAndTheTruncatedClientAddress()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var candidate = App.ClientWithBearer(user.IdToken);
        var session = (await candidate.StartSessionAsync(await App.PublishAsync(tenant))).Id();

        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);

        var rows = await App.AuditRowsAsync("tenant_id = @t AND resource = @r", ("t", tenant), ("r", $"session/{session}"));
        Assert.Equal(["session.start", "session.submit"], rows.Select(r => r.Action));
        Assert.All(rows, r =>
        {
            Assert.Equal(user.Uid, r.Actor);
            Assert.Equal("success", r.Outcome);
            Assert.Equal("127.0.0.0/24", r.ClientIp);
        });
    }

    [Fact]
    public async Task GuestTokenIssueAndRevokeAreAuditedWithTheGuestAndTheAdmin()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.SignUpAsync(tenant, Roles.Admin);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var created = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();
        var session = created.GetProperty("session").Id();

        var revoke = await App.ClientWithBearer(admin.IdToken).PostAsync($"/api/v1/sessions/{session}/guest-token/revoke", null);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var rows = await App.AuditRowsAsync("tenant_id = @t AND resource = @r", ("t", tenant), ("r", $"session/{session}"));
        Assert.Equal([("guest_token.issue", $"guest:{session}"), ("guest_token.revoke", admin.Uid)], rows.Select(r => (r.Action, r.Actor)));
        Assert.All(rows, r => Assert.Equal("127.0.0.0/24", r.ClientIp));
        var token = created.GetProperty("guest_token").GetString()!;
        Assert.All(rows, r => Assert.DoesNotContain(token, r.Details ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccommodationChangeIsAuditedWithTheClientAddress()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.SignUpAsync(tenant, Roles.Admin);

        var response = await App.ClientWithBearer(admin.IdToken).PutAsJsonAsync("/api/v1/accommodations/cand-1", new { extra_minutes = 10 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single(await App.TenantAuditAsync(tenant, "accommodation.set"));
        Assert.Equal((admin.Uid, "candidate/cand-1", "127.0.0.0/24"), (row.Actor, row.Resource, row.ClientIp));
    }

    [Fact]
    public async Task PolicyRefusalIsAuditedAsAccessDeniedInTheCallersTenant()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);

        var response = await App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/accommodations");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var row = Assert.Single(await App.TenantAuditAsync(tenant, "access.denied"));
        Assert.Equal((user.Uid, "route/GET /api/v1/accommodations", "denied", "127.0.0.0/24"), (row.Actor, row.Resource, row.Outcome, row.ClientIp));
        Assert.Contains("\"role\": \"candidate\"", row.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointRefusalIsAuditedWithTheRouteIdsOnly()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var paper = await App.PublishAsync(tenant);

        var response = await App.ClientWithBearer(user.IdToken).PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper, candidate_id = "someone-else" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var row = Assert.Single(await App.TenantAuditAsync(tenant, "access.denied"));
        Assert.Equal("route/POST /api/v1/sessions", row.Resource);
        Assert.DoesNotContain("someone-else", row.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedRefusalsOfOneCallerOnOneRouteWriteOneRowAMinute()
    {
        var tenant = await App.CreateTenantAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await candidate.GetAsync("/api/v1/audit-events")).StatusCode);
        }

        // One row unless the five calls straddled a minute boundary.
        Assert.InRange((await App.TenantAuditAsync(tenant, "access.denied")).Count, 1, 2);
    }
}
