using System.Text;
using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseTokenSignatureTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    public static TheoryData<string> MalformedTokens => new()
    {
        "",
        "not-a-jwt",
        "a.b",
        "..",
        "a.b.c.d.e",
        "%%%.%%%.%%%",
        TestTokens.EncodeText("not json") + "." + TestTokens.Encode(new { sub = "x" }) + ".",
        TestTokens.Encode(new { alg = "RS256" }) + "." + TestTokens.EncodeText("[1,2]") + ".",
        TestTokens.EncodeText("[\"RS256\"]") + "." + TestTokens.Encode(new { sub = "x" }) + ".",
        TestTokens.Encode(new { alg = 256 }) + "." + TestTokens.Encode(new { sub = "x" }) + ".",
        TestTokens.Encode(new { alg = "RS256", kid = 7 }) + "." + TestTokens.Encode(new { sub = "x" }) + ".",
        TestTokens.Encode(new { alg = "RS256" }) + "." + TestTokens.EncodeText("{\"sub\":\"a\",\"sub\":\"b\"}") + ".",
        TestTokens.Encode(new { alg = "RS256" }) + "." + TestTokens.EncodeText("{\"sub\":\"a\"}{") + ".",
        TestTokens.Encode(new { alg = "RS256" }) + "." + TestTokens.Encode(new { sub = "x" }) + ".sig*nature",
    };

    [Fact]
    public async Task TokenSignedWithHs256IsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        // The classic algorithm-confusion attack: HMAC keyed with the published certificate.
        var token = TestTokens.SignedHs256(Encoding.ASCII.GetBytes(TestSigningKey.Primary.CertificatePem), TestSigningKey.Primary.Kid, harness.ValidClaims());

        Assert.Equal(TokenRejection.UnsupportedAlgorithm, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithAlgNoneIsRejectedOutsideEmulatorMode()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), alg: "none");

        Assert.Equal(TokenRejection.EmulatorTokenNotAllowed, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithAlgNoNeIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);

        Assert.Equal(TokenRejection.UnsupportedAlgorithm, await harness.RejectionOfAsync(TestTokens.Unsigned(harness.ValidClaims(), alg: "NoNe")));
    }

    [Theory]
    [InlineData("rs256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    [InlineData("RS256 ")]
    [InlineData("")]
    public async Task TokenWithAnyOtherAlgorithmIsRejected(string alg)
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), alg: alg);

        Assert.Equal(TokenRejection.UnsupportedAlgorithm, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithoutAlgIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var header = new Dictionary<string, object?> { ["kid"] = TestSigningKey.Primary.Kid };
        var token = TestTokens.Signed(header, harness.ValidClaims(), _ => [1, 2, 3]);

        Assert.Equal(TokenRejection.UnsupportedAlgorithm, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithUnknownKidIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: "no-such-kid");

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithoutKidIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: "");

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenSignedByAnotherKeyIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = TestTokens.SignedRs256(TestSigningKey.Other, harness.ValidClaims(), kid: TestSigningKey.Primary.Kid);

        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(token));
    }

    [Fact]
    public async Task TokenWithTamperedPayloadIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var parts = harness.ValidToken().Split('.');
        var claims = harness.ValidClaims();
        claims["sub"] = "someone-else";
        var tampered = parts[0] + "." + TestTokens.Encode(claims) + "." + parts[2];

        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(tampered));
    }

    [Fact]
    public async Task SignedTokenWithSignatureRemovedIsRejected()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);
        var token = harness.ValidToken();
        var unsigned = token[..(token.LastIndexOf('.') + 1)];

        Assert.Equal(TokenRejection.BadSignature, await harness.RejectionOfAsync(unsigned));
    }

    [Fact]
    public async Task OversizeTokenIsRejectedBeforeParsing()
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);

        Assert.Equal(TokenRejection.Oversize, await harness.RejectionOfAsync(new string('a', 16385)));
        Assert.Equal(TokenRejection.Malformed, await harness.RejectionOfAsync(new string('a', 16384)));
    }

    [Fact]
    public async Task ValidTokenLongerThanMaxTokenLengthIsRejected()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();
        harness.Options.MaxTokenLength = token.Length - 1;

        Assert.Equal(TokenRejection.Oversize, await harness.RejectionOfAsync(token));
        Assert.Equal(0, endpoint.RequestCount);
    }

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public async Task MalformedTokenIsRejectedWithoutThrowing(string token)
    {
        using var harness = new VerifierHarness(server.AddEndpoint(TestSigningKey.Primary).Url);

        Assert.Equal(TokenRejection.Malformed, await harness.RejectionOfAsync(token));
    }
}
