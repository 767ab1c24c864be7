using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Sessions;

public sealed class SessionAccessTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task CandidateCannotReadOrAnswerAnotherCandidatesSession()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant);
        var owner = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var other = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await owner.StartSessionAsync(paper)).Id();

        await (await other.GetAsync($"/api/v1/sessions/{session}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.SaveAsync(session, "q3", "def")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.SubmitAsync(session)).AssertProblemAsync(HttpStatusCode.NotFound);
        var mine = await other.GetFromJsonAsync<JsonElement>("/api/v1/sessions");
        Assert.Equal(0, mine.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task AuthorOfTheTenantReadsAnySessionButCannotAnswerIt()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant);
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();

        Assert.Equal(HttpStatusCode.OK, (await author.GetAsync($"/api/v1/sessions/{session}")).StatusCode);
        await (await author.SaveAsync(session, "q3", "def")).AssertProblemAsync(HttpStatusCode.NotFound);
        var list = await author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper}/sessions");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("in_progress", item.GetProperty("status").GetString());
        Assert.Equal(session, item.Id());
    }

    [Fact]
    public async Task CandidateCannotListTheSessionsOfAPaper()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant);
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);

        await (await candidate.GetAsync($"/api/v1/papers/{paper}/sessions")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task EverySessionRouteAnswersNotFoundForAnotherTenantsIds()
    {
        var home = await App.CreateTenantAsync();
        var foreign = await App.CreateTenantAsync();
        var foreignPaper = await App.PublishAsync(foreign, TestPapers.Sample(guestAccess: false));
        var foreignSession = (await App.ClientWithBearer((await App.SignUpAsync(foreign)).IdToken).StartSessionAsync(foreignPaper)).Id();
        var admin = App.ClientWithBearer((await App.SignUpAsync(home, Roles.Admin)).IdToken);

        var attempts = new[]
        {
            await admin.GetAsync($"/api/v1/sessions/{foreignSession}"),
            await admin.SaveAsync(foreignSession, "q3", "def"),
            await admin.SubmitAsync(foreignSession),
            await admin.PostAsync($"/api/v1/sessions/{foreignSession}/guest-token/revoke", null),
            await admin.GetAsync($"/api/v1/papers/{foreignPaper}/sessions"),
            await admin.PostAsJsonAsync("/api/v1/sessions", new { paper_id = foreignPaper }),
        };

        foreach (var response in attempts)
        {
            await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task SessionRoutesNeedACredential()
    {
        var id = Guid.CreateVersion7();
        foreach (var response in new[]
        {
            await App.Client.GetAsync("/api/v1/sessions"),
            await App.Client.GetAsync($"/api/v1/sessions/{id}"),
            await App.Client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = id }),
            await App.Client.SaveAsync(id, "q1", "x"),
            await App.Client.SubmitAsync(id),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.True(response.Headers.WwwAuthenticate.Count > 0);
        }
    }
}
