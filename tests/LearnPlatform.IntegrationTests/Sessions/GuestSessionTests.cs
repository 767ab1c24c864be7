using System.Text.RegularExpressions;
using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Sessions;

public sealed partial class GuestSessionTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(string Token, JsonElement Body, Guid Tenant, Guid Paper)> GuestAsync(int timeLimitSeconds = 1800)
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(timeLimitSeconds: timeLimitSeconds, guestAccess: true));
        var response = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("guest_token").GetString()!, body, tenant, paper);
    }

    [Fact]
    public async Task GuestGetsASessionAndATokenThatIdentifiesIt()
    {
        var (token, body, tenant, paper) = await GuestAsync();
        var session = body.GetProperty("session");

        var me = await App.ClientWithGuestToken(token).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal(paper, session.GetProperty("paper_id").GetGuid());
        Assert.Equal("guest", me.GetProperty("kind").GetString());
        Assert.Equal(tenant, me.GetProperty("tenant_id").GetGuid());
        Assert.Equal(session.Id(), me.GetProperty("session_id").GetGuid());
    }

    [Fact]
    public async Task GuestReadsAnswersAndSubmitsItsOwnSession()
    {
        var (token, body, _, _) = await GuestAsync();
        var guest = App.ClientWithGuestToken(token);
        var session = body.GetProperty("session").Id();

        Assert.Equal(HttpStatusCode.OK, (await guest.SaveAsync(session, "q3", "def")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync($"/api/v1/sessions/{session}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await guest.SubmitAsync(session)).StatusCode);
    }

    [Fact]
    public async Task GuestTokenIsConfinedToItsSession()
    {
        var (token, _, _, paper) = await GuestAsync();
        var other = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        var otherSession = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session").Id();
        var guest = App.ClientWithGuestToken(token);

        await (await guest.GetAsync($"/api/v1/sessions/{otherSession}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await guest.SaveAsync(otherSession, "q3", "def")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await guest.SubmitAsync(otherSession)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await guest.GetAsync("/api/v1/sessions")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await guest.GetAsync($"/api/v1/papers/{paper}/sessions")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PaperWithoutGuestAccessOrUnpublishedOrUnknownIsNotFound()
    {
        var tenant = await App.CreateTenantAsync();
        var closed = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: false));

        foreach (var paper in new[] { closed, Guid.CreateVersion7() })
        {
            await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).AssertProblemAsync(HttpStatusCode.NotFound);
        }
        await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GuestTokenCarries256RandomBitsAndIsStoredOnlyAsAHash()
    {
        var (token, body, _, _) = await GuestAsync();

        Assert.Matches(TokenShape(), token);
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT token_hash FROM guest_tokens WHERE session_id = @s", connection);
        command.Parameters.AddWithValue("s", body.GetProperty("session").Id());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)), (byte[])(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task GuestTokenWorksUntilTheDeadlinePlusGraceAndNoLonger()
    {
        var (token, body, _, _) = await GuestAsync(timeLimitSeconds: 1800);
        Assert.Equal(fixture.Clock.GetUtcNow().AddMinutes(45), body.GetProperty("expires_at").GetDateTimeOffset());
        var guest = App.ClientWithGuestToken(token);
        try
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(44));
            Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync("/api/v1/me")).StatusCode);
            fixture.Clock.Advance(TimeSpan.FromMinutes(2));
            await Identity.MeTests.AssertUnauthorizedAsync(await guest.GetAsync("/api/v1/me"));
        }
        finally
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(-46));
        }
    }

    [Fact]
    public async Task GuestTokenLivesAtMostFourHoursWhateverTheTimeLimit()
    {
        var (_, body, _, _) = await GuestAsync(timeLimitSeconds: 86_400);

        Assert.Equal(fixture.Clock.GetUtcNow().AddHours(4), body.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task AdminRevokesAGuestTokenAndItStopsWorking()
    {
        var (token, body, tenant, _) = await GuestAsync();
        var guest = App.ClientWithGuestToken(token);
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var session = body.GetProperty("session").Id();

        await (await author.PostAsync($"/api/v1/sessions/{session}/guest-token/revoke", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/sessions/{session}/guest-token/revoke", null)).StatusCode);

        await Identity.MeTests.AssertUnauthorizedAsync(await guest.GetAsync("/api/v1/me"));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'guest_token.revoke' AND resource = @r", ("r", $"session/{session}")));
    }

    [Theory]
    [InlineData("lpg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-guest-token")]
    [InlineData("")]
    public async Task UnknownGuestTokenIsUnauthorized(string token)
    {
        var client = new HttpClient { BaseAddress = App.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Guest-Token", token);

        await Identity.MeTests.AssertUnauthorizedAsync(await client.GetAsync("/api/v1/me"));
    }

    [Fact]
    public async Task ApplicationRoleCannotListGuestTokensWithoutKnowingOne()
    {
        await GuestAsync();
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM guest_tokens", connection);

        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    [GeneratedRegex("^lpg_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenShape();
}
