namespace LearnPlatform.IntegrationTests.Accommodations;

public sealed class AccommodationsApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task PutCreatesTheAccommodationAndAnswersItWithDefaults()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant);

        var created = await admin.SetAccommodationAsync("candidate-1", new { paper_id = paper, extra_minutes = 15 });

        Assert.Equal("candidate-1", created.GetProperty("candidate_id").GetString());
        Assert.Equal(paper, created.GetProperty("paper_id").GetGuid());
        Assert.Equal(1m, created.GetProperty("time_multiplier").GetDecimal());
        Assert.Equal(15, created.GetProperty("extra_minutes").GetInt32());
        Assert.Equal(adminUser.Uid, created.GetProperty("updated_by").GetString());
        Assert.Equal(created.GetProperty("created_at").GetDateTimeOffset(), created.GetProperty("updated_at").GetDateTimeOffset());
        Assert.NotEqual(Guid.Empty, created.Id());
    }

    [Fact]
    public async Task TenantWideAccommodationShowsANullPaperId()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var created = await admin.SetAccommodationAsync("candidate-1", new { time_multiplier = 1.25 });

        Assert.Equal(JsonValueKind.Null, created.GetProperty("paper_id").ValueKind);
        Assert.Equal(1.25m, created.GetProperty("time_multiplier").GetDecimal());
        Assert.Equal(0, created.GetProperty("extra_minutes").GetInt32());
    }

    [Fact]
    public async Task PutAgainUpdatesTheSameAccommodationRatherThanAddingOne()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var first = await admin.SetAccommodationAsync("candidate-1", new { time_multiplier = 1.5 });

        var second = await admin.SetAccommodationAsync("candidate-1", new { extra_minutes = 20 });

        Assert.Equal(first.Id(), second.Id());
        Assert.Equal(1m, second.GetProperty("time_multiplier").GetDecimal());
        Assert.Equal(20, second.GetProperty("extra_minutes").GetInt32());
        Assert.Equal(first.GetProperty("created_at").GetDateTimeOffset(), second.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task TenantWideAndPaperSpecificAccommodationsAreSeparate()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant);

        var tenantWide = await admin.SetAccommodationAsync("candidate-1", new { time_multiplier = 1.5 });
        var forPaper = await admin.SetAccommodationAsync("candidate-1", new { paper_id = paper, time_multiplier = 2 });

        Assert.NotEqual(tenantWide.Id(), forPaper.Id());
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task ConcurrentPutsForTheSameCandidateLeaveOneRowAndNoServerError()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant);

        foreach (var paperId in new Guid?[] { null, paper })
        {
            var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
                admin.PutAccommodationAsync("racer", new { paper_id = paperId, extra_minutes = i })));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t AND candidate_uid = 'racer'", ("t", tenant)));
        Assert.Equal(20, await App.AuditCountAsync(tenant, "accommodation.set", "candidate/racer"));
    }

    [Fact]
    public async Task PaperOfAnotherTenantOrUnknownIsNotFoundAndStoresNothing()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var foreign = await App.PublishAsync(await App.CreateTenantAsync());

        foreach (var paper in new[] { foreign, Guid.CreateVersion7() })
        {
            await (await admin.PutAccommodationAsync("candidate-1", new { paper_id = paper, extra_minutes = 10 })).AssertProblemAsync(HttpStatusCode.NotFound);
        }
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t", ("t", tenant)));
        Assert.Equal(0, await App.AuditCountAsync(tenant, "accommodation.set", "candidate/candidate-1"));
    }

    [Fact]
    public async Task ListShowsOnlyTheTenantsAccommodationsFilteredByCandidateAndPaper()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var (_, otherAdmin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant);
        await admin.SetAccommodationAsync("alice", new { extra_minutes = 10 });
        await admin.SetAccommodationAsync("alice", new { paper_id = paper, extra_minutes = 20 });
        await admin.SetAccommodationAsync("bob", new { paper_id = paper, time_multiplier = 2 });
        await otherAdmin.SetAccommodationAsync("alice", new { extra_minutes = 99 });

        var all = await admin.ListAccommodationsAsync();
        var alices = await admin.ListAccommodationsAsync("?candidate_id=alice");
        var forPaper = await admin.ListAccommodationsAsync($"?paper_id={paper}");
        var alicesForPaper = await admin.ListAccommodationsAsync($"?candidate_id=alice&paper_id={paper}");

        Assert.Equal(3, all.Count);
        Assert.DoesNotContain(all, a => a.GetProperty("extra_minutes").GetInt32() == 99);
        Assert.Equal([10, 20], alices.Select(a => a.GetProperty("extra_minutes").GetInt32()));
        Assert.Equal(["alice", "bob"], forPaper.Select(a => a.GetProperty("candidate_id").GetString()));
        Assert.Equal(20, Assert.Single(alicesForPaper).GetProperty("extra_minutes").GetInt32());
    }

    [Fact]
    public async Task DeleteRemovesOnlyTheNamedAccommodation()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant);
        await admin.SetAccommodationAsync("candidate-1", new { extra_minutes = 10 });
        await admin.SetAccommodationAsync("candidate-1", new { paper_id = paper, extra_minutes = 20 });

        var deleted = await admin.DeleteAccommodationAsync("candidate-1", paper);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var left = Assert.Single(await admin.ListAccommodationsAsync("?candidate_id=candidate-1"));
        Assert.Equal(JsonValueKind.Null, left.GetProperty("paper_id").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAccommodationAsync("candidate-1")).StatusCode);
        Assert.Empty(await admin.ListAccommodationsAsync("?candidate_id=candidate-1"));
    }

    [Fact]
    public async Task DeletingWhatDoesNotExistIsNotFound()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();
        var (_, otherAdmin, _) = await App.TenantWithAdminAsync();
        await otherAdmin.SetAccommodationAsync("candidate-1", new { extra_minutes = 10 });

        await (await admin.DeleteAccommodationAsync("candidate-1")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await admin.DeleteAccommodationAsync("nobody", Guid.CreateVersion7())).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Single(await otherAdmin.ListAccommodationsAsync());
    }

    [Fact]
    public async Task SetAndDeleteAreAuditedWithTheNumbers()
    {
        var (tenant, admin, adminUser) = await App.TenantWithAdminAsync();
        await admin.SetAccommodationAsync("audited", new { time_multiplier = 1.5, extra_minutes = 10 });

        await admin.DeleteAccommodationAsync("audited");

        var details = "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = @actor AND action = @a AND resource = 'candidate/audited'"
            + " AND (details->>'time_multiplier')::numeric = 1.5 AND (details->>'extra_minutes')::int = 10";
        Assert.Equal(1, await App.CountAsync(details, ("t", tenant), ("actor", adminUser.Uid), ("a", "accommodation.set")));
        Assert.Equal(1, await App.CountAsync(details, ("t", tenant), ("actor", adminUser.Uid), ("a", "accommodation.delete")));
    }
}
