
namespace LearnPlatform.IntegrationTests.Identity;

/// <summary>The production path: RS256 tokens signed with keys made at test time, served from a local key endpoint.</summary>
public sealed class SignedTokenFixture : IAsyncLifetime
{
    public KeyEndpointServer Keys { get; } = new();
    internal KeyEndpoint Endpoint { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Keys.InitializeAsync();
        Endpoint = Keys.AddEndpoint(TestSigningKey.Primary);
        App = await StartAppAsync(Endpoint);
    }

    internal static Task<TestApp> StartAppAsync(KeyEndpoint endpoint) =>
        TestApp.StartAsync(settings =>
        {
            settings["Firebase:ProjectId"] = TestTokens.ProjectId;
            settings["Firebase:PublicKeysUrl"] = endpoint.Url.ToString();
            settings.Remove("FIREBASE_AUTH_EMULATOR_HOST");
        });

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Keys.DisposeAsync();
    }
}

public sealed class SignedTokenTests(SignedTokenFixture fixture) : IClassFixture<SignedTokenFixture>
{
    private TestApp App => fixture.App;

    private static Dictionary<string, object?> Claims(string uid, Guid? tenantId = null, string? firebaseTenant = null)
    {
        var claims = TestTokens.ValidClaims(DateTimeOffset.UtcNow);
        claims["sub"] = uid;
        claims["user_id"] = uid;
        claims.Remove("tenant_id");
        if (tenantId is { } tenant)
        {
            claims["tenant_id"] = tenant.ToString();
        }
        var firebase = (Dictionary<string, object?>)claims["firebase"]!;
        if (firebaseTenant is null)
        {
            firebase.Remove("tenant");
        }
        else
        {
            firebase["tenant"] = firebaseTenant;
        }
        return claims;
    }

    private Task<HttpResponseMessage> MeAsync(string token) => App.ClientWithBearer(token).GetAsync("/api/v1/me");

    [Fact]
    public async Task SignedTokenWithTenantClaimIsAccepted()
    {
        var tenant = await App.CreateTenantAsync();

        var response = await MeAsync(TestTokens.SignedRs256(TestSigningKey.Primary, Claims("signed-user", tenant)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("signed-user", me.GetProperty("uid").GetString());
        Assert.Equal(tenant, me.GetProperty("tenant_id").GetGuid());
    }

    [Fact]
    public async Task IdentityPlatformTenantIsMappedToItsTenantRow()
    {
        var firebaseTenant = $"school-{Guid.NewGuid():N}"[..20];
        var tenant = await App.CreateTenantAsync(firebaseTenant);

        var me = await (await MeAsync(TestTokens.SignedRs256(TestSigningKey.Primary, Claims("idp-user", firebaseTenant: firebaseTenant))))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(tenant, me.GetProperty("tenant_id").GetGuid());
    }

    [Fact]
    public async Task UnmappedIdentityPlatformTenantIsForbidden()
    {
        var response = await MeAsync(TestTokens.SignedRs256(TestSigningKey.Primary, Claims("idp-user", firebaseTenant: "nobody-here")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public static TheoryData<string, Func<Dictionary<string, object?>, string>> Rejections => new()
    {
        { "wrong audience", c => { c["aud"] = "another-project"; return TestTokens.SignedRs256(TestSigningKey.Primary, c); } },
        { "wrong issuer", c => { c["iss"] = "https://securetoken.google.com/another-project"; return TestTokens.SignedRs256(TestSigningKey.Primary, c); } },
        { "expired", c => { c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds(); return TestTokens.SignedRs256(TestSigningKey.Primary, c); } },
        { "unknown key", c => TestTokens.SignedRs256(TestSigningKey.Other, c) },
        { "HS256", c => TestTokens.SignedHs256(new byte[32], TestSigningKey.Primary.Kid, c) },
        { "emulator token with emulator mode off", c => TestTokens.Unsigned(c) },
        { "tampered payload", c =>
            {
                var token = TestTokens.SignedRs256(TestSigningKey.Primary, c);
                c["sub"] = "someone-else";
                var parts = token.Split('.');
                return $"{parts[0]}.{TestTokens.Encode(c)}.{parts[2]}";
            } },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task RejectedSignedTokenIsUnauthorized(string reason, Func<Dictionary<string, object?>, string> makeToken)
    {
        var tenant = await App.CreateTenantAsync();

        var response = await MeAsync(makeToken(Claims("rejected-user", tenant)));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, reason);
        await MeTests.AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task KeysAreFetchedOnceAcrossManyRequests()
    {
        var endpoint = fixture.Keys.AddEndpoint(TestSigningKey.Primary);
        await using var app = await SignedTokenFixture.StartAppAsync(endpoint);
        var tenant = await app.CreateTenantAsync();
        var client = app.ClientWithBearer(TestTokens.SignedRs256(TestSigningKey.Primary, Claims("busy-user", tenant)));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.GetAsync("/api/v1/me")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, endpoint.RequestCount);
    }
}
