using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Audit;

public sealed class AuditEventsApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static readonly DateTimeOffset Base = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AdminSeesTheTenantsEventsNewestFirstWithTheirFields()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();
        await admin.PutAsJsonAsync("/api/v1/accommodations/cand-1", new { extra_minutes = 5 });
        await admin.DeleteAsync("/api/v1/accommodations/cand-1");

        var items = (await admin.AuditPageAsync()).Items();

        Assert.Equal(["accommodation.delete", "accommodation.set"], items.Select(i => i.GetProperty("action").GetString()));
        var latest = items[0];
        Assert.Equal(adminUser.Uid, latest.GetProperty("actor").GetString());
        Assert.Equal("candidate/cand-1", latest.GetProperty("resource").GetString());
        Assert.Equal("success", latest.GetProperty("outcome").GetString());
        Assert.Equal("127.0.0.0/24", latest.GetProperty("client_ip").GetString());
        Assert.Equal(5, latest.GetProperty("details").GetProperty("extra_minutes").GetInt32());
        Assert.True(latest.GetProperty("occurred_at").GetDateTimeOffset() >= items[1].GetProperty("occurred_at").GetDateTimeOffset());
        Assert.False(latest.TryGetProperty("tenant_id", out _));
        _ = tenant;
    }

    [Fact]
    public async Task AnotherTenantsEventsAndTenantlessSignInFailuresNeverAppear()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var other = await App.CreateTenantAsync();
        await App.InsertAuditAsync(tenant, Base, actor: "mine");
        await App.InsertAuditAsync(other, Base.AddMinutes(1), actor: "theirs");
        await App.InsertAuditAsync(null, Base.AddMinutes(2), action: "auth.sign_in_failed", actor: "anonymous");

        var page = await admin.AuditPageAsync("?limit=200");
        var byActor = await admin.AuditPageAsync("?actor=theirs");

        Assert.Equal(["mine"], page.Items().Select(i => i.GetProperty("actor").GetString()));
        Assert.Empty(byActor.Items());
        _ = other;
    }

    [Fact]
    public async Task CursorPagesThroughEveryEventOnceNewestFirst()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            // Two events share each timestamp, so the id breaks ties.
            ids.Add(await App.InsertAuditAsync(tenant, Base.AddSeconds(i / 2), resource: $"thing/{i}"));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await admin.AuditPageAsync("?limit=3" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            seen.AddRange(page.Items().Select(i => i.Id()));
            cursor = page.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);

        var expected = (await App.AuditRowsAsync("tenant_id = @t", ("t", tenant)))
            .OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id).Select(r => r.Id);
        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Distinct().Count());
    }

    [Fact]
    public async Task FiltersNarrowByActionActorResourceOutcomeAndTime()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        await App.InsertAuditAsync(tenant, Base, action: "a.one", actor: "alice", resource: "r/1");
        await App.InsertAuditAsync(tenant, Base.AddHours(1), action: "a.two", actor: "bob", resource: "r/1", outcome: "denied");
        await App.InsertAuditAsync(tenant, Base.AddHours(2), action: "a.one", actor: "bob", resource: "r/2");

        async Task<List<string?>> Resources(string query) =>
            (await admin.AuditPageAsync(query)).Items().Select(i => $"{i.GetProperty("action").GetString()}@{i.GetProperty("occurred_at").GetDateTimeOffset():HH}").ToList<string?>();

        Assert.Equal(["a.one@14", "a.one@12"], await Resources("?action=a.one"));
        Assert.Equal(["a.one@14", "a.two@13"], await Resources("?actor=bob"));
        Assert.Equal(["a.two@13", "a.one@12"], await Resources("?resource=r/1"));
        Assert.Equal(["a.two@13"], await Resources("?outcome=denied"));
        Assert.Equal(["a.two@13"], await Resources("?from=2026-11-01T13:00:00Z&to=2026-11-01T14:00:00Z"));
        Assert.Equal(["a.two@13"], await Resources("?from=2026-11-01T14:00:00%2B01:00&to=2026-11-01T13:30:00Z"));
        Assert.Equal(["a.one@14"], await Resources("?actor=bob&action=a.one"));
    }

    [Fact]
    public async Task BadFiltersAreOneProblemNamingEveryField()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.GetAsync("/api/v1/audit-events?from=yesterday&to=2026-11-01&limit=500&cursor=nope&outcome=Bad!&actor=");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["actor", "cursor", "from", "limit", "outcome", "to"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to")]
    [InlineData("?from=2026-11-01T00:00:00", "from")]
    public async Task EachBadFilterIsA400ForItsField(string query, string field)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var problem = await (await admin.GetAsync($"/api/v1/audit-events{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task ACursorFromAnotherListIsRefused()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();
        var membersCursor = LearnPlatform.Api.Http.OpaqueCursor.Encode("members", "someone");

        var problem = await (await admin.GetAsync($"/api/v1/audit-events?cursor={membersCursor}")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task OnlyAdminsMayReadTheTrail()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var guest = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();

        await (await author.GetAsync("/api/v1/audit-events")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await candidate.GetAsync("/api/v1/audit-events")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await App.ClientWithGuestToken(guest.GetProperty("guest_token").GetString()!).GetAsync("/api/v1/audit-events")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var anonymous = await App.Client.GetAsync("/api/v1/audit-events");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.True(anonymous.Headers.WwwAuthenticate.Count > 0);
    }
}
