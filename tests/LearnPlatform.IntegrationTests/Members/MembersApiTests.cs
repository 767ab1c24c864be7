using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Audit;

namespace LearnPlatform.IntegrationTests.Members;

public sealed class MembersApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static Task<HttpResponseMessage> PutRoleAsync(HttpClient admin, string uid, object body) =>
        admin.PutAsJsonAsync($"/api/v1/members/{Uri.EscapeDataString(uid)}", body);

    [Fact]
    public async Task AdminSetsARoleThatTakesEffectAtOnceAndIsAudited()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();
        var user = await App.SignUpAsync(tenant);

        var response = await PutRoleAsync(admin, user.Uid, new { role = "author" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var member = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((user.Uid, "author"), (member.GetProperty("uid").GetString(), member.GetProperty("role").GetString()));
        var me = await App.ClientWithBearer(user.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("author", me.GetProperty("role").GetString());
        var row = Assert.Single(await App.TenantAuditAsync(tenant, "member.role_set"));
        Assert.Equal((adminUser.Uid, $"member/{user.Uid}", "127.0.0.0/24"), (row.Actor, row.Resource, row.ClientIp));
        Assert.Equal("{\"role\": \"author\"}", row.Details);
    }

    [Fact]
    public async Task ChangingARoleKeepsOneRowAndRecordsThePreviousRole()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();

        await PutRoleAsync(admin, "member-1", new { role = "author" });
        var second = await PutRoleAsync(admin, "member-1", new { role = "admin" });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = 'member-1'", ("t", tenant)));
        Assert.Equal("{\"role\": \"admin\", \"previous_role\": \"author\"}", (await App.TenantAuditAsync(tenant, "member.role_set"))[^1].Details);
    }

    [Fact]
    public async Task RemovingAMemberMakesThemACandidateAgainAndIsAudited()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var user = await App.SignUpAsync(tenant, Roles.Author);

        var response = await admin.DeleteAsync($"/api/v1/members/{user.Uid}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var me = await App.ClientWithBearer(user.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("candidate", me.GetProperty("role").GetString());
        var row = Assert.Single(await App.TenantAuditAsync(tenant, "member.remove"));
        Assert.Equal("{\"previous_role\": \"author\"}", row.Details);
        await (await admin.DeleteAsync($"/api/v1/members/{user.Uid}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheLastAdminCannotBeDemotedOrRemoved()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();

        await (await PutRoleAsync(admin, adminUser.Uid, new { role = "author" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await admin.DeleteAsync($"/api/v1/members/{adminUser.Uid}")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await PutRoleAsync(admin, adminUser.Uid, new { role = "admin" })).StatusCode);

        await PutRoleAsync(admin, "second-admin", new { role = "admin" });
        Assert.Equal(HttpStatusCode.OK, (await PutRoleAsync(admin, adminUser.Uid, new { role = "candidate" })).StatusCode);
        Assert.Empty(await App.TenantAuditAsync(tenant, "member.remove"));
    }

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveOneAdmin()
    {
        var tenant = await App.CreateTenantAsync();
        var first = await App.SignUpAsync(tenant, Roles.Admin);
        var second = await App.SignUpAsync(tenant, Roles.Admin);

        var answers = await Task.WhenAll(
            PutRoleAsync(App.ClientWithBearer(first.IdToken), second.Uid, new { role = "candidate" }),
            PutRoleAsync(App.ClientWithBearer(second.IdToken), first.Uid, new { role = "candidate" }));

        // The loser gets 409 if it ran beside the winner, or 403 if it arrived after it and is no longer an admin.
        var codes = answers.Select(a => a.StatusCode).Order().ToList();
        Assert.Equal(HttpStatusCode.OK, codes[0]);
        Assert.Contains(codes[1], new[] { HttpStatusCode.Conflict, HttpStatusCode.Forbidden });
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND role = 'admin'", ("t", tenant)));
    }

    [Fact]
    public async Task ListPagesThroughTheTenantsMembersOnlyInUidOrder()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();
        var (_, otherAdmin, _) = await App.TenantWithAdminAsync();
        foreach (var uid in new[] { "m-c", "m-a", "m-e", "m-b", "m-d" })
        {
            await PutRoleAsync(admin, uid, new { role = uid == "m-d" ? "author" : "candidate" });
        }
        await PutRoleAsync(otherAdmin, "m-x", new { role = "author" });

        var uids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await admin.GetFromJsonAsync<JsonElement>("/api/v1/members?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            uids.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("uid").GetString()!));
            cursor = page.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(new[] { adminUser.Uid, "m-a", "m-b", "m-c", "m-d", "m-e" }.Order(StringComparer.Ordinal), uids.Order(StringComparer.Ordinal));
        Assert.Equal(uids.Distinct().Count(), uids.Count);
        var authors = await admin.GetFromJsonAsync<JsonElement>("/api/v1/members?role=author");
        Assert.Equal(["m-d"], authors.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("uid").GetString()));
        _ = tenant;
    }

    [Theory]
    [InlineData("{\"role\": \"owner\"}", "role")]
    [InlineData("{}", "role")]
    [InlineData("{\"role\": 3}", null)]
    public async Task BadRoleIsA400(string body, string? field)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PutAsync("/api/v1/members/someone", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        }
    }

    [Fact]
    public async Task OverlongUidIsA400()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var problem = await (await PutRoleAsync(admin, new string('u', 129), new { role = "author" })).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("uid", out _));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("operator")]
    [InlineData("*")]
    [InlineData("admin")]
    [InlineData("guest:01a237ef-66fd-7457-88ff-81bdcd513949")]
    [InlineData("erased:00ff00ff00ff00ff00ff00ff00ff00ff")]
    public async Task AReservedUidGetsNoRole(string uid)
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();

        var problem = await (await PutRoleAsync(admin, uid, new { role = "admin" })).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("reserved", problem.GetProperty("errors").GetProperty("uid")[0].GetString());
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u", ("t", tenant), ("u", uid)));
    }

    [Fact]
    public async Task AMembershipOfAReservedUidFromBeforeTheRuleCanStillBeRemoved()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        await App.CountAsync(
            "WITH added AS (INSERT INTO memberships (tenant_id, uid, role, created_at, updated_at) VALUES (@t, 'system', 'author', now(), now()) RETURNING 1) SELECT count(*) FROM added",
            ("t", tenant));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/members/system")).StatusCode);

        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = 'system'", ("t", tenant)));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=201", "limit")]
    [InlineData("?role=boss", "role")]
    [InlineData("?cursor=%21%21", "cursor")]
    public async Task BadListQueryIsA400(string query, string field)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var problem = await (await admin.GetAsync($"/api/v1/members{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task OnlyAdminsManageMembers()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var candidate = await App.SignUpAsync(tenant);

        await (await author.GetAsync("/api/v1/members")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await PutRoleAsync(App.ClientWithBearer(candidate.IdToken), candidate.Uid, new { role = "admin" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await author.DeleteAsync($"/api/v1/members/{candidate.Uid}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client.GetAsync("/api/v1/members")).StatusCode);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u", ("t", tenant), ("u", candidate.Uid)));
    }

    [Fact]
    public async Task AnAdminCannotTouchAnotherTenantsMembers()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();
        var other = await App.CreateTenantAsync();
        var foreign = await App.SignUpAsync(other, Roles.Author);

        await (await admin.DeleteAsync($"/api/v1/members/{foreign.Uid}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await PutRoleAsync(admin, foreign.Uid, new { role = "admin" });

        var me = await App.ClientWithBearer(foreign.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("author", me.GetProperty("role").GetString());
    }
}
