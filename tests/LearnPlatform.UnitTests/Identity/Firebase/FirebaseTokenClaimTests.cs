using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseTokenClaimTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    private static readonly long JustPastSkew = (long)TimeSpan.FromMinutes(5).TotalSeconds + 1;
    private static readonly long WithinSkew = (long)TimeSpan.FromMinutes(4).TotalSeconds;

    [Fact]
    public async Task TokenExpiredMoreThanFiveMinutesAgoIsRejected() =>
        Assert.Equal(TokenRejection.Expired, await RejectionWithAsync(("exp", now => now - JustPastSkew)));

    [Fact]
    public async Task TokenExpiredFourMinutesAgoIsAcceptedAsClockSkew() =>
        Assert.Null(await RejectionWithAsync(("exp", now => now - WithinSkew)));

    [Fact]
    public async Task TokenIssuedMoreThanFiveMinutesInTheFutureIsRejected() =>
        Assert.Equal(TokenRejection.IssuedInFuture, await RejectionWithAsync(("iat", now => now + JustPastSkew)));

    [Fact]
    public async Task TokenIssuedFourMinutesInTheFutureIsAcceptedAsClockSkew() =>
        Assert.Null(await RejectionWithAsync(("iat", now => now + WithinSkew)));

    [Fact]
    public async Task AuthTimeMoreThanFiveMinutesInTheFutureIsRejected() =>
        Assert.Equal(TokenRejection.AuthTimeInFuture, await RejectionWithAsync(("auth_time", now => now + JustPastSkew)));

    [Fact]
    public async Task AuthTimeFourMinutesInTheFutureIsAcceptedAsClockSkew() =>
        Assert.Null(await RejectionWithAsync(("auth_time", now => now + WithinSkew)));

    [Theory]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("auth_time")]
    public async Task TokenWithoutTimeClaimIsRejectedAsMalformed(string claim) =>
        Assert.Equal(TokenRejection.Malformed, await RejectionWithAsync((claim, null)));

    [Theory]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("auth_time")]
    public async Task TimeClaimAsTextIsRejectedAsMalformed(string claim) =>
        Assert.Equal(TokenRejection.Malformed, await RejectionWithAsync((claim, now => now.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    [Fact]
    public async Task TokenForAnotherProjectIsRejected() =>
        Assert.Equal(TokenRejection.WrongAudience, await RejectionWithAsync(("aud", _ => "another-project")));

    [Fact]
    public async Task AudienceAsArrayIsRejected() =>
        Assert.Equal(TokenRejection.WrongAudience, await RejectionWithAsync(("aud", _ => new[] { TestTokens.ProjectId })));

    [Fact]
    public async Task TokenWithoutAudienceIsRejected() =>
        Assert.Equal(TokenRejection.WrongAudience, await RejectionWithAsync(("aud", null)));

    [Theory]
    [InlineData("https://securetoken.google.com/another-project")]
    [InlineData("https://accounts.google.com")]
    [InlineData("https://securetoken.google.com/learnplatform-test/")]
    public async Task TokenFromAnotherIssuerIsRejected(string issuer) =>
        Assert.Equal(TokenRejection.WrongIssuer, await RejectionWithAsync(("iss", _ => issuer)));

    [Fact]
    public async Task TokenWithoutIssuerIsRejected() =>
        Assert.Equal(TokenRejection.WrongIssuer, await RejectionWithAsync(("iss", null)));

    [Fact]
    public async Task EmptySubjectIsRejected() =>
        Assert.Equal(TokenRejection.InvalidSubject, await RejectionWithAsync(("sub", _ => "")));

    [Fact]
    public async Task MissingSubjectIsRejected() =>
        Assert.Equal(TokenRejection.InvalidSubject, await RejectionWithAsync(("sub", null)));

    [Fact]
    public async Task NumericSubjectIsRejected() =>
        Assert.Equal(TokenRejection.InvalidSubject, await RejectionWithAsync(("sub", _ => 12345)));

    [Fact]
    public async Task SubjectOf129CharactersIsRejected() =>
        Assert.Equal(TokenRejection.InvalidSubject, await RejectionWithAsync(("sub", _ => new string('u', 129))));

    [Fact]
    public async Task SubjectOf128CharactersIsAcceptedAsUid()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var claims = harness.ValidClaims();
        claims["sub"] = new string('u', 128);

        var result = await harness.VerifyAsync(TestTokens.SignedRs256(TestSigningKey.Primary, claims));

        Assert.Equal(new string('u', 128), result.User?.Uid);
    }

    // Signs a valid token with one claim replaced (or removed, when the value function is null).
    private async Task<TokenRejection?> RejectionWithAsync((string Name, Func<long, object>? Value) claim)
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var claims = harness.ValidClaims();
        if (claim.Value is null)
            claims.Remove(claim.Name);
        else
            claims[claim.Name] = claim.Value(harness.Time.GetUtcNow().ToUnixTimeSeconds());

        return await harness.RejectionOfAsync(TestTokens.SignedRs256(TestSigningKey.Primary, claims));
    }
}
