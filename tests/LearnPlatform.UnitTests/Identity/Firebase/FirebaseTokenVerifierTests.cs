using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseTokenVerifierTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    [Fact]
    public async Task ValidTokenYieldsUidTenantsAndEmail()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);

        var result = await harness.VerifyAsync(harness.ValidToken());

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(new FirebaseUser(TestTokens.Uid, TestTokens.FirebaseTenant, TestTokens.TenantId, TestTokens.Email), result.User);
        Assert.Null(result.Rejection);
    }

    [Fact]
    public async Task ValidTokenWithoutTenantClaimsYieldsNullTenants()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var claims = harness.ValidClaims();
        claims.Remove("tenant_id");
        claims.Remove("email");
        claims["firebase"] = new Dictionary<string, object?> { ["sign_in_provider"] = "google.com" };

        var result = await harness.VerifyAsync(TestTokens.SignedRs256(TestSigningKey.Primary, claims));

        Assert.Equal(new FirebaseUser(TestTokens.Uid, null, null, null), result.User);
    }

    [Theory]
    [InlineData("tenant_id")]
    [InlineData("email")]
    public async Task NonStringCustomClaimIsRejectedAsMalformed(string claim)
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var claims = harness.ValidClaims();
        claims[claim] = new[] { "a", "b" };

        Assert.Equal(TokenRejection.Malformed, await harness.RejectionOfAsync(TestTokens.SignedRs256(TestSigningKey.Primary, claims)));
    }

    [Fact]
    public async Task NonStringFirebaseTenantIsRejectedAsMalformed()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var claims = harness.ValidClaims();
        claims["firebase"] = new Dictionary<string, object?> { ["tenant"] = 42 };

        Assert.Equal(TokenRejection.Malformed, await harness.RejectionOfAsync(TestTokens.SignedRs256(TestSigningKey.Primary, claims)));
    }

    [Fact]
    public async Task VerifierNeverLogsTokenContent()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url, options => options.EmulatorHost = "127.0.0.1:9099");
        var tokens = new List<string>
        {
            harness.ValidToken(),
            harness.ValidToken(TestSigningKey.Other),
            TestTokens.SignedRs256(TestSigningKey.Other, harness.ValidClaims(), kid: TestSigningKey.Primary.Kid),
            TestTokens.Unsigned(harness.ValidClaims()),
            TestTokens.SignedHs256([1, 2, 3], TestSigningKey.Primary.Kid, harness.ValidClaims()),
        };
        foreach (var token in tokens)
            await harness.VerifyAsync(token);
        endpoint.StatusCode = 500;
        harness.Time.Advance(TimeSpan.FromHours(2));
        foreach (var token in tokens)
            await harness.VerifyAsync(token);

        var logs = harness.Logs.All;
        Assert.Contains("Emulator", logs, StringComparison.Ordinal);
        Assert.Contains("failed", logs, StringComparison.Ordinal);
        foreach (var segment in tokens.SelectMany(token => token.Split('.')).Where(segment => segment.Length >= 8))
            Assert.DoesNotContain(segment[..8], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTokens.Uid, logs, StringComparison.Ordinal);
    }
}
