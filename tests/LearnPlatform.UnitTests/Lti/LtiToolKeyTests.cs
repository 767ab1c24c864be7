using System.Security.Cryptography;
using LearnPlatform.Core.Lti;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Lti;

public sealed class LtiToolKeyTests
{
    private static LtiToolKey KeyOf(string? pem) => new(Options.Create(new LtiOptions { ToolPrivateKey = pem }));

    [Fact]
    public void ThePublicJwkCarriesNoPrivatePartAndItsKidIsTheThumbprint()
    {
        using var rsa = RSA.Create(2048);

        var key = KeyOf(rsa.ExportPkcs8PrivateKeyPem());

        Assert.True(key.IsConfigured);
        Assert.Equal(["alg", "e", "kid", "kty", "n", "use"], key.PublicJwk!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(key.KeyId, KeyOf(rsa.ExportRSAPrivateKeyPem()).KeyId);
        Assert.Equal(43, key.KeyId!.Length);
    }

    [Fact]
    public void AMissingKeyLeavesLtiOffAndSigningRefuses()
    {
        var key = KeyOf(null);

        Assert.False(key.IsConfigured);
        Assert.Throws<LtiConfigurationException>(() => key.SigningCredentials);
    }

    [Fact]
    public void APublicKeyASmallKeyOrGarbageIsRefused()
    {
        using var small = RSA.Create(1024);
        using var rsa = RSA.Create(2048);

        Assert.Throws<LtiConfigurationException>(() => KeyOf(small.ExportPkcs8PrivateKeyPem()));
        Assert.Throws<LtiConfigurationException>(() => KeyOf(rsa.ExportSubjectPublicKeyInfoPem()));
        var lines = rsa.ExportPkcs8PrivateKeyPem().Split('\n');
        var truncated = string.Join('\n', lines[..3].Append(lines[^1]));
        var garbage = Assert.Throws<LtiConfigurationException>(() => KeyOf(truncated));
        Assert.DoesNotContain(lines[1], garbage.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://lms.example/api/lti/courses/1/line_items/2", "https://lms.example/api/lti/courses/1/line_items/2/scores")]
    [InlineData("https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3", "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3")]
    [InlineData("https://lms.example/lineitems/9/", "https://lms.example/lineitems/9/scores")]
    public void TheScoresEndpointIsTheLineItemsPathWithScoresItsQueryKept(string lineItem, string scores) =>
        Assert.Equal(scores, AgsClient.ScoresUrl(lineItem).ToString());
}
