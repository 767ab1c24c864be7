
namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>
/// Rejected credentials are audited by reason class, with no tenant (nothing unverified may choose one) and never the
/// credential. Each test starts in a fresh minute of the app's clock, so the flood throttle starts empty.
/// </summary>
public sealed class SignInFailureAuditTests(ClockedAppFixture fixture) : IClassFixture<ClockedAppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private DateTimeOffset start;

    public Task InitializeAsync()
    {
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        start = fixture.Clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<List<AuditRow>> FailuresAsync() =>
        App.AuditRowsAsync("action = 'auth.sign_in_failed' AND occurred_at >= @s", ("s", start));

    private static string EmulatorToken(Action<Dictionary<string, object?>> change)
    {
        var claims = TestTokens.ValidClaims(DateTimeOffset.UtcNow, TestEmulator.ProjectId);
        change(claims);
        return TestTokens.Unsigned(claims);
    }

    [Fact]
    public async Task ExpiredTokenIsAuditedAsExpiredWithoutTenantOrToken()
    {
        var tenant = await App.CreateTenantAsync();
        var token = EmulatorToken(c =>
        {
            c["tenant_id"] = tenant.ToString();
            c["exp"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
            c["iat"] = c["auth_time"] = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds();
        });

        Assert.Equal(HttpStatusCode.Unauthorized, (await App.ClientWithBearer(token).GetAsync("/api/v1/me")).StatusCode);

        var row = Assert.Single(await FailuresAsync());
        Assert.Null(row.TenantId);
        Assert.Equal(("anonymous", "credential/bearer", "failure", "127.0.0.0/24"), (row.Actor, row.Resource, row.Outcome, row.ClientIp));
        Assert.Equal("{\"reason\": \"expired\"}", row.Details);
        Assert.Empty(await App.AuditRowsAsync("tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task MalformedBearerAndUnknownGuestTokenAreAuditedByReason()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.ClientWithBearer("not-a-jwt-SECRET-PROBE").GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.ClientWithGuestToken("lpg_SECRET-PROBE").GetAsync("/api/v1/me")).StatusCode);

        var rows = await FailuresAsync();
        Assert.Equal(
            [("credential/bearer", "{\"reason\": \"malformed\"}"), ("credential/guest_token", "{\"reason\": \"invalid_guest_token\"}")],
            rows.Select(r => (r.Resource, r.Details)));
        Assert.All(rows, r => Assert.DoesNotContain("SECRET-PROBE", $"{r}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifiedUserOfNoKnownTenantIsAuditedAsUnknownTenantUnderTheirUid()
    {
        var user = await App.SignUpAsync(null);

        Assert.Equal(HttpStatusCode.Forbidden, (await App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/me")).StatusCode);

        var row = Assert.Single(await FailuresAsync());
        Assert.Null(row.TenantId);
        Assert.Equal((user.Uid, "{\"reason\": \"unknown_tenant\"}"), (row.Actor, row.Details));
        Assert.Empty(await App.AuditRowsAsync("action = 'access.denied' AND actor = @u", ("u", user.Uid)));
    }

    [Fact]
    public async Task AFloodOfFailuresFromOneAddressWritesOneRowPerReasonPerMinute()
    {
        var bad = App.ClientWithBearer("garbage");
        var expired = App.ClientWithBearer(EmulatorToken(c => c["exp"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds()));

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/v1/me")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync("/api/v1/me")).StatusCode);
        }
        Assert.Equal(2, (await FailuresAsync()).Count);

        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(3, (await FailuresAsync()).Count);
    }
}
