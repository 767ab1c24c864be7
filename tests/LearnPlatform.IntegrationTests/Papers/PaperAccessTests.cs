using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.IntegrationTests.Papers;

public sealed class PaperAccessTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static readonly string[] AuthorRoutes = ["GET /api/v1/papers", "POST /api/v1/papers", "GET /api/v1/papers/{id}", "PUT /api/v1/papers/{id}", "POST /api/v1/papers/{id}/publish"];
    private static readonly string[] ExamRoutes = ["GET /api/v1/exams", "GET /api/v1/exams/{id}"];

    private static HttpRequestMessage Request(string route, Guid id)
    {
        var parts = route.Split(' ');
        var request = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1].Replace("{id}", id.ToString(), StringComparison.Ordinal));
        if (parts[0] is "POST" or "PUT" && !parts[1].EndsWith("/publish", StringComparison.Ordinal))
        {
            request.Content = JsonContent.Create(PaperSamples.Valid("Hijacked"));
        }
        return request;
    }

    [Fact]
    public async Task CandidateIsForbiddenOnEveryAuthorRoute()
    {
        var users = await TenantUsers.CreateAsync(App);
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync());

        foreach (var route in AuthorRoutes)
        {
            using var request = Request(route, paper.Id());
            using var response = await users.Candidate.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task AdminMayAuthorPapers()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);

        var paper = await admin.PublishAsync(await admin.CreatePaperAsync());

        Assert.Equal("published", paper.Str("status"));
    }

    [Fact]
    public async Task NoCredentialIsUnauthorizedOnEveryRoute()
    {
        foreach (var route in AuthorRoutes.Concat(ExamRoutes))
        {
            using var request = Request(route, Guid.CreateVersion7());
            using var response = await App.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route}: {response.StatusCode}");
            Assert.Equal("Bearer realm=\"learnplatform\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task UnknownGuestTokenIsUnauthorizedOnEveryRoute()
    {
        var client = App.ClientWithGuestToken("lpg_" + new string('A', 43));

        foreach (var route in AuthorRoutes.Concat(ExamRoutes))
        {
            using var request = Request(route, Guid.CreateVersion7());
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task ValidGuestIsForbiddenOnEveryRoute()
    {
        var users = await TenantUsers.CreateAsync(App);
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync());
        var guest = App.ClientWithGuestToken(await IssueGuestTokenAsync(users.TenantId, paper.Id()));
        Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync("/api/v1/me")).StatusCode);

        foreach (var route in AuthorRoutes.Concat(ExamRoutes))
        {
            using var request = Request(route, paper.Id());
            using var response = await guest.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task AnotherTenantsPaperIsNotFoundOnEveryRoute()
    {
        var theirs = await TenantUsers.CreateAsync(App);
        var mine = await TenantUsers.CreateAsync(App);
        var paper = await theirs.Author.PublishAsync(await theirs.Author.CreatePaperAsync());

        foreach (var (client, route) in AuthorRoutes.Where(r => r.Contains("{id}", StringComparison.Ordinal)).Select(r => (mine.Author, r))
            .Concat(ExamRoutes.Where(r => r.Contains("{id}", StringComparison.Ordinal)).Select(r => (mine.Candidate, r))))
        {
            using var request = Request(route, paper.Id());
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{route}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var version = await mine.Author.GetAsync($"/api/v1/papers/{paper.Id()}?version=1");
        Assert.Equal(HttpStatusCode.NotFound, version.StatusCode);

        var untouched = await theirs.Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}");
        Assert.Equal(1, untouched.Int("version"));
        Assert.Equal("published", untouched.Str("status"));
        Assert.Equal("Python basics", untouched.Str("title"));
    }

    [Fact]
    public async Task AuthorListSeesOnlyOwnTenantsPapers()
    {
        var theirs = await TenantUsers.CreateAsync(App);
        var mine = await TenantUsers.CreateAsync(App);
        var their = await theirs.Author.CreatePaperAsync();
        var own = await mine.Author.CreatePaperAsync();

        var list = await mine.Author.GetFromJsonAsync<JsonElement>("/api/v1/papers");

        Assert.Equal([own.Id()], list.GetProperty("items").EnumerateArray().Select(p => p.Id()));
        Assert.DoesNotContain(their.Id().ToString(), list.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A real guest: a guest session row for the published paper, and a token bound to it.</summary>
    private async Task<string> IssueGuestTokenAsync(Guid tenant, Guid paperId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
        db.Tenant.TenantId = tenant;
        var now = DateTimeOffset.UtcNow;
        var session = new ExamSession { TenantId = tenant, PaperId = paperId, PaperVersion = 1, Attempt = 1, StartedAt = now, Deadline = now.AddMinutes(30) };
        db.Sessions.Add(session);
        await db.SaveChangesAsync();
        return (await App.Service<GuestTokens>().IssueAsync(db, session.Id, session.Deadline, CancellationToken.None)).Token;
    }
}
