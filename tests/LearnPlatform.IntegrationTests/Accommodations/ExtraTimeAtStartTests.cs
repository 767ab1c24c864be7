namespace LearnPlatform.IntegrationTests.Accommodations;

/// <summary>Accommodations set through the API stretch the deadline of sessions started afterwards.</summary>
public sealed class ExtraTimeAtStartTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private async Task<(Guid Tenant, HttpClient Admin, HttpClient Candidate, TestUser CandidateUser)> TenantAsync()
    {
        var (tenant, admin, _) = await App.TenantWithAdminAsync();
        var candidate = await App.SignUpAsync(tenant);
        return (tenant, admin, App.ClientWithBearer(candidate.IdToken), candidate);
    }

    [Fact]
    public async Task PaperSpecificAccommodationWinsOverTheTenantWideOne()
    {
        var (tenant, admin, candidate, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 1200));
        var other = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 1200));
        await admin.SetAccommodationAsync(user.Uid, new { time_multiplier = 1.5, extra_minutes = 10 });
        await admin.SetAccommodationAsync(user.Uid, new { paper_id = paper, time_multiplier = 2 });

        var own = await candidate.StartSessionAsync(paper);
        var tenantWide = await candidate.StartSessionAsync(other);

        Assert.Equal(Now.AddSeconds(2400), own.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(Now.AddSeconds(1800).AddMinutes(10), tenantWide.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task MultiplierAndMinutesCombine()
    {
        var (tenant, admin, candidate, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));
        await admin.SetAccommodationAsync(user.Uid, new { paper_id = paper, time_multiplier = 1.25, extra_minutes = 5 });

        var session = await candidate.StartSessionAsync(paper);

        Assert.Equal(Now.AddSeconds(750).AddMinutes(5), session.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task OtherCandidatesKeepThePapersTimeLimit()
    {
        var (tenant, admin, _, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));
        await admin.SetAccommodationAsync(user.Uid, new { time_multiplier = 2 });
        var otherCandidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);

        var session = await otherCandidate.StartSessionAsync(paper);

        Assert.Equal(Now.AddSeconds(600), session.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task SessionStartedBeforeTheAccommodationKeepsItsDeadlineAndTheNextAttemptGetsIt()
    {
        var (tenant, admin, candidate, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600, maxAttempts: 2));
        var before = await candidate.StartSessionAsync(paper);

        await admin.SetAccommodationAsync(user.Uid, new { paper_id = paper, extra_minutes = 30 });

        var unchanged = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{before.Id()}");
        Assert.Equal(before.GetProperty("deadline").GetDateTimeOffset(), unchanged.GetProperty("deadline").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(before.Id())).StatusCode);
        var after = await candidate.StartSessionAsync(paper);
        Assert.Equal(Now.AddSeconds(600).AddMinutes(30), after.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task UpdatedAccommodationAppliesItsNewNumbers()
    {
        var (tenant, admin, candidate, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));
        await admin.SetAccommodationAsync(user.Uid, new { extra_minutes = 60 });
        await admin.SetAccommodationAsync(user.Uid, new { extra_minutes = 15 });

        var session = await candidate.StartSessionAsync(paper);

        Assert.Equal(Now.AddSeconds(600).AddMinutes(15), session.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task DeletedAccommodationNoLongerApplies()
    {
        var (tenant, admin, candidate, user) = await TenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));
        await admin.SetAccommodationAsync(user.Uid, new { time_multiplier = 3 });
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAccommodationAsync(user.Uid)).StatusCode);

        var session = await candidate.StartSessionAsync(paper);

        Assert.Equal(Now.AddSeconds(600), session.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task AccommodationInAnotherTenantForTheSameUidDoesNotApply()
    {
        var (tenant, _, candidate, user) = await TenantAsync();
        var (_, otherAdmin, _) = await App.TenantWithAdminAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: 600));
        await otherAdmin.SetAccommodationAsync(user.Uid, new { time_multiplier = 4 });

        var session = await candidate.StartSessionAsync(paper);

        Assert.Equal(Now.AddSeconds(600), session.GetProperty("deadline").GetDateTimeOffset());
    }
}
