using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Core.Webhooks;

/// <summary>
/// Endpoint signing secrets: <c>whsec_</c> + base64 of 32 random bytes, shown once, and kept as AES-256-GCM ciphertext
/// under Webhooks:SecretKey, bound to its endpoint's id (a ciphertext copied to another row does not decrypt).
/// </summary>
public sealed class WebhookSecrets
{
    public const string Prefix = "whsec_";
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[]? key;

    public WebhookSecrets(IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.SecretKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return;
        }
        try
        {
            key = Convert.FromBase64String(configured.Trim());
        }
        catch (FormatException)
        {
            throw new WebhookConfigurationException("Webhooks__SecretKey must be base64 of 32 random bytes (openssl rand -base64 32).");
        }
        if (key.Length != 32)
        {
            throw new WebhookConfigurationException("Webhooks__SecretKey must be base64 of 32 random bytes (openssl rand -base64 32).");
        }
    }

    public bool IsConfigured => key is not null;

    /// <summary>A new secret as shown to the admin, and the raw bytes HMAC is keyed with.</summary>
    public static (string Shown, byte[] Raw) Generate()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        return (Prefix + Convert.ToBase64String(raw), raw);
    }

    public byte[] Protect(Guid endpointId, byte[] secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var result = new byte[1 + NonceSize + TagSize + secret.Length];
        result[0] = FormatVersion;
        var nonce = result.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(RequireKey(), TagSize);
        aes.Encrypt(nonce, secret, result.AsSpan(1 + NonceSize + TagSize), result.AsSpan(1 + NonceSize, TagSize), endpointId.ToByteArray());
        return result;
    }

    public byte[] Unprotect(Guid endpointId, byte[] ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (ciphertext.Length < 1 + NonceSize + TagSize || ciphertext[0] != FormatVersion)
        {
            throw new WebhookConfigurationException($"The stored secret of webhook endpoint {endpointId} is not in a known format.");
        }
        var secret = new byte[ciphertext.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(RequireKey(), TagSize);
        try
        {
            aes.Decrypt(ciphertext.AsSpan(1, NonceSize), ciphertext.AsSpan(1 + NonceSize + TagSize), ciphertext.AsSpan(1 + NonceSize, TagSize), secret, endpointId.ToByteArray());
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WebhookConfigurationException($"The secret of webhook endpoint {endpointId} does not decrypt with Webhooks__SecretKey (was the key changed?).");
        }
        return secret;
    }

    /// <summary>The Standard Webhooks v1 signature: HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>, base64, prefixed <c>v1,</c>.</summary>
    public static string Sign(byte[] secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(secret, signed));
    }

    private byte[] RequireKey() =>
        key ?? throw new WebhookConfigurationException("Webhooks__SecretKey is not set: webhook secrets cannot be stored or read.");
}

public sealed class WebhookConfigurationException(string message) : Exception(message);
