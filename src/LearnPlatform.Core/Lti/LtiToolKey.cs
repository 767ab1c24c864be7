using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.Core.Lti;

/// <summary>
/// The tool's signing key (Lti:ToolPrivateKey): it signs deep-linking responses and the client assertions of grade
/// passback, its public half is served at /lti/jwks, and the key for the login's state cookie is derived from it.
/// </summary>
public sealed class LtiToolKey
{
    private const int MinimumKeyBits = 2048;

    private readonly RsaSecurityKey? signingKey;
    private readonly byte[]? stateKey;

    public LtiToolKey(IOptions<LtiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Value.ToolPrivateKey))
        {
            return;
        }
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(options.Value.ToolPrivateKey);
            // A public key imports too, but cannot sign.
            rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new LtiConfigurationException("Lti:ToolPrivateKey is not an RSA private key in PEM form.");
        }
        if (rsa.KeySize < MinimumKeyBits)
        {
            rsa.Dispose();
            throw new LtiConfigurationException($"Lti:ToolPrivateKey must be an RSA key of at least {MinimumKeyBits} bits.");
        }
        var publicJwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false)));
        KeyId = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
        signingKey = new RsaSecurityKey(rsa) { KeyId = KeyId };
        PublicJwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["alg"] = SecurityAlgorithms.RsaSha256,
            ["use"] = "sig",
            ["kid"] = KeyId,
            ["n"] = publicJwk.N,
            ["e"] = publicJwk.E,
        };
        stateKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, rsa.ExportPkcs8PrivateKey(), 32, info: Encoding.ASCII.GetBytes("learnplatform/lti/state-cookie/v1"));
    }

    public bool IsConfigured => signingKey is not null;

    /// <summary>RFC 7638 thumbprint of the public key.</summary>
    public string? KeyId { get; }

    /// <summary>The public key as a JWK (kty, alg, use, kid, n, e), for the JWKS.</summary>
    public IReadOnlyDictionary<string, string>? PublicJwk { get; }

    public SigningCredentials SigningCredentials =>
        new(signingKey ?? throw new LtiConfigurationException("LTI is not configured (Lti:ToolPrivateKey)."), SecurityAlgorithms.RsaSha256);

    /// <summary>The HMAC key of the login's state cookie.</summary>
    public ReadOnlySpan<byte> StateKey => stateKey ?? throw new LtiConfigurationException("LTI is not configured (Lti:ToolPrivateKey).");
}

public sealed class LtiConfigurationException(string message) : Exception(message);
