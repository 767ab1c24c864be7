using System.Text.RegularExpressions;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Identity;

public sealed class GuestTokenFixture : AppFixture
{
    public ManualClock Clock { get; } = new();

    public override async Task InitializeAsync() =>
        App = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<TimeProvider>(Clock));
}

public sealed partial class GuestTokenTests(GuestTokenFixture fixture) : IClassFixture<GuestTokenFixture>
{
    private TestApp App => fixture.App;

    private async Task<(IssuedGuestToken Token, Guid TenantId, Guid SessionId)> IssueAsync(TimeSpan untilDeadline)
    {
        var tenant = await App.CreateTenantAsync();
        var session = Guid.CreateVersion7();
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
        db.Tenant.TenantId = tenant;
        var token = await App.Service<GuestTokens>().IssueAsync(db, session, fixture.Clock.GetUtcNow() + untilDeadline, CancellationToken.None);
        return (token, tenant, session);
    }

    [Fact]
    public async Task GuestTokenIdentifiesItsSessionAndTenant()
    {
        var (issued, tenant, session) = await IssueAsync(TimeSpan.FromMinutes(30));

        var me = await App.ClientWithGuestToken(issued.Token).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal("guest", me.GetProperty("kind").GetString());
        Assert.Equal(tenant, me.GetProperty("tenant_id").GetGuid());
        Assert.Equal(session, me.GetProperty("session_id").GetGuid());
    }

    [Fact]
    public async Task GuestTokenCarriesAtLeast256RandomBitsAndIsStoredOnlyAsAHash()
    {
        var (issued, _, session) = await IssueAsync(TimeSpan.FromMinutes(30));

        Assert.Matches(TokenShape(), issued.Token);
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT token_hash FROM guest_tokens WHERE session_id = @s", connection);
        command.Parameters.AddWithValue("s", session);
        var stored = (byte[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(issued.Token)), stored);
    }

    [Fact]
    public async Task GuestTokenExpiresAtTheDeadlinePlusGrace()
    {
        var (issued, _, _) = await IssueAsync(TimeSpan.FromMinutes(30));
        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromMinutes(45), issued.ExpiresAt);
        var client = App.ClientWithGuestToken(issued.Token);

        fixture.Clock.Advance(TimeSpan.FromMinutes(44));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
            fixture.Clock.Advance(TimeSpan.FromMinutes(2));
            await MeTests.AssertUnauthorizedAsync(await client.GetAsync("/api/v1/me"));
        }
        finally
        {
            fixture.Clock.Advance(-TimeSpan.FromMinutes(46));
        }
    }

    [Fact]
    public async Task GuestTokenLivesAtMostFourHoursWhateverTheDeadline()
    {
        var (issued, _, _) = await IssueAsync(TimeSpan.FromHours(30));

        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromHours(4), issued.ExpiresAt);
    }

    [Fact]
    public async Task RevokedGuestTokenIsUnauthorized()
    {
        var (issued, tenant, session) = await IssueAsync(TimeSpan.FromMinutes(30));
        var client = App.ClientWithGuestToken(issued.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
            db.Tenant.TenantId = tenant;
            Assert.Equal(1, await App.Service<GuestTokens>().RevokeAsync(db, session, CancellationToken.None));
        }

        await MeTests.AssertUnauthorizedAsync(await client.GetAsync("/api/v1/me"));
    }

    [Theory]
    [InlineData("lpg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-guest-token")]
    [InlineData("")]
    public async Task UnknownGuestTokenIsUnauthorized(string token)
    {
        var client = new HttpClient { BaseAddress = App.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation(CredentialAuthenticationHandler.GuestTokenHeader, token);

        await MeTests.AssertUnauthorizedAsync(await client.GetAsync("/api/v1/me"));
    }

    [Fact]
    public async Task ApplicationRoleCannotListGuestTokensWithoutKnowingOne()
    {
        await IssueAsync(TimeSpan.FromMinutes(30));
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM guest_tokens", connection);

        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    [GeneratedRegex("^lpg_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenShape();
}
