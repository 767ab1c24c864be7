using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

/// <summary>
/// A verified token is remembered (by its hash) so later requests skip the signature check; what it must never do is
/// accept a token the full check would now refuse.
/// </summary>
public sealed class VerifiedTokenCacheTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    [Fact]
    public async Task ARememberedTokenIsRefusedOnceItHasExpired()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = TimeSpan.FromDays(1);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        harness.Time.Advance(TimeSpan.FromSeconds(3540) + FirebaseTokenVerifier.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenRejection.Expired, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task ARememberedTokenIsRefusedOnceGoogleNoLongerServesItsKey()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = TimeSpan.FromMinutes(10);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        endpoint.Serve(TestSigningKey.Rotated);
        harness.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task ARememberedTokenIsCheckedAgainAfterAKeyRefreshThatKeepsItsKey()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = TimeSpan.FromMinutes(10);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        harness.Time.Advance(TimeSpan.FromMinutes(11));
        var again = await harness.VerifyAsync(token);

        Assert.True(again.IsValid);
        Assert.Equal(TestTokens.Uid, again.User!.Uid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task ATokenDifferingFromARememberedOneInItsSignatureIsRefused()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(tampered));
    }
}
