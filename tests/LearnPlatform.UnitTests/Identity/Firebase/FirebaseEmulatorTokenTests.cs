using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseEmulatorTokenTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    private const string EmulatorHost = "127.0.0.1:9099";

    [Fact]
    public async Task EmulatorTokenIsRejectedWhenEmulatorModeIsOff()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);

        Assert.Equal(TokenRejection.EmulatorTokenNotAllowed, await harness.RejectionOfAsync(TestTokens.Unsigned(harness.ValidClaims())));
    }

    [Fact]
    public async Task EmulatorTokenForConfiguredProjectIsAcceptedInEmulatorModeWithoutFetchingKeys()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url, options => options.EmulatorHost = EmulatorHost);

        var result = await harness.VerifyAsync(TestTokens.Unsigned(harness.ValidClaims()));

        Assert.Equal(new FirebaseUser(TestTokens.Uid, TestTokens.FirebaseTenant, TestTokens.TenantId, TestTokens.Email), result.User);
        Assert.Equal(0, endpoint.RequestCount);
    }

    [Fact]
    public async Task EmulatorTokenForAnotherProjectIsRejectedInEmulatorMode()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url, options => options.EmulatorHost = EmulatorHost);
        var claims = TestTokens.ValidClaims(harness.Time.GetUtcNow(), projectId: "another-project");

        Assert.Equal(TokenRejection.WrongAudience, await harness.RejectionOfAsync(TestTokens.Unsigned(claims)));
    }

    [Fact]
    public async Task ExpiredEmulatorTokenIsRejectedInEmulatorMode()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url, options => options.EmulatorHost = EmulatorHost);
        var token = TestTokens.Unsigned(harness.ValidClaims());
        harness.Time.Advance(TimeSpan.FromHours(2));

        Assert.Equal(TokenRejection.Expired, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task EmulatorTokenCarryingASignatureIsRejectedInEmulatorMode()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url, options => options.EmulatorHost = EmulatorHost);
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), alg: "none");

        Assert.Equal(TokenRejection.Malformed, await harness.RejectionOfAsync(token));
    }

    [Theory]
    [InlineData("NoNe")]
    [InlineData("NONE")]
    [InlineData("HS256")]
    public async Task OnlyExactAlgNoneIsTheEmulatorAlgorithm(string alg)
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url, options => options.EmulatorHost = EmulatorHost);

        Assert.Equal(TokenRejection.UnsupportedAlgorithm, await harness.RejectionOfAsync(TestTokens.Unsigned(harness.ValidClaims(), alg)));
    }

    [Fact]
    public async Task SignedTokensAreStillVerifiedInEmulatorMode()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url, options => options.EmulatorHost = EmulatorHost);
        var forged = TestTokens.SignedRs256(TestSigningKey.Other, harness.ValidClaims(), kid: TestSigningKey.Primary.Kid);

        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(forged));
    }
}
