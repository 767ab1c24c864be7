using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Webhooks;

public sealed class WebhookSecretsTests
{
    private static WebhookSecrets Secrets(byte[]? key = null) =>
        new(Options.Create(new WebhookOptions { SecretKey = Convert.ToBase64String(key ?? RandomNumberGenerator.GetBytes(32)) }));

    /// <summary>The test vector the Standard Webhooks reference libraries verify against.</summary>
    [Fact]
    public void TheSignatureMatchesTheReferenceVector()
    {
        var secret = Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = WebhookSecrets.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232314}"""));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void AGeneratedSecretIsWhsecAndBase64Of32Bytes()
    {
        var (shown, raw) = WebhookSecrets.Generate();

        Assert.StartsWith("whsec_", shown, StringComparison.Ordinal);
        Assert.Equal(raw, Convert.FromBase64String(shown["whsec_".Length..]));
        Assert.Equal(32, raw.Length);
    }

    [Fact]
    public void ACiphertextDecryptsOnlyForItsEndpointAndKey()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var endpoint = Guid.NewGuid();
        var (_, raw) = WebhookSecrets.Generate();

        var ciphertext = Secrets(key).Protect(endpoint, raw);

        Assert.Equal(raw, Secrets(key).Unprotect(endpoint, ciphertext));
        Assert.DoesNotContain(Convert.ToHexString(raw), Convert.ToHexString(ciphertext), StringComparison.Ordinal);
        Assert.Throws<WebhookConfigurationException>(() => Secrets(key).Unprotect(Guid.NewGuid(), ciphertext));
        Assert.Throws<WebhookConfigurationException>(() => Secrets().Unprotect(endpoint, ciphertext));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void AKeyThatIsNot32BytesIsRefused(string key) =>
        Assert.Throws<WebhookConfigurationException>(() => new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = key })));

    [Fact]
    public void WithoutAKeyNothingIsStored()
    {
        var secrets = new WebhookSecrets(Options.Create(new WebhookOptions()));

        Assert.False(secrets.IsConfigured);
        Assert.Throws<WebhookConfigurationException>(() => secrets.Protect(Guid.NewGuid(), [1, 2, 3]));
    }
}
