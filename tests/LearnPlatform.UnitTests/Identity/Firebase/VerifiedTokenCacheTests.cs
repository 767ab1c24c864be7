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
        using var harness = new VerifierHarness(Endpoint(keysFor: TimeSpan.FromDays(1)).Url);
        var token = await RememberedTokenAsync(harness);

        harness.Time.Advance(TimeSpan.FromSeconds(3540) + FirebaseTokenVerifier.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await harness.VerifyAsync(token)).IsValid);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenRejection.Expired, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task ARememberedTokenIsRefusedOnceGoogleNoLongerServesItsKey()
    {
        var endpoint = Endpoint(keysFor: TimeSpan.FromMinutes(10));
        using var harness = new VerifierHarness(endpoint.Url);
        var token = await RememberedTokenAsync(harness);

        endpoint.Serve(TestSigningKey.Rotated);
        harness.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task ARememberedTokenIsCheckedAgainAfterAKeyRefreshThatKeepsItsKey()
    {
        var endpoint = Endpoint(keysFor: TimeSpan.FromMinutes(10));
        using var harness = new VerifierHarness(endpoint.Url);
        var token = await RememberedTokenAsync(harness);

        harness.Time.Advance(TimeSpan.FromMinutes(11));
        var again = await harness.VerifyAsync(token);

        Assert.True(again.IsValid);
        Assert.Equal(TestTokens.Uid, again.User!.Uid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task ATokenDifferingFromARememberedOneInItsSignatureIsRefused()
    {
        using var harness = new VerifierHarness(Endpoint(keysFor: TimeSpan.FromHours(1)).Url);
        var token = await RememberedTokenAsync(harness);

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(tampered));
    }

    /// <summary>A key endpoint serving the primary key, saying its keys last <paramref name="keysFor"/>.</summary>
    private KeyEndpoint Endpoint(TimeSpan keysFor)
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = keysFor;
        return endpoint;
    }

    /// <summary>A valid token the verifier has just accepted, and so remembers.</summary>
    private static async Task<string> RememberedTokenAsync(VerifierHarness harness)
    {
        var token = harness.ValidToken();
        Assert.True((await harness.VerifyAsync(token)).IsValid);
        return token;
    }
}
