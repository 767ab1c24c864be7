using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LearnPlatform.Api.Identity.Firebase;

// A compact JWS split into its parts. Parsed by hand rather than with JsonWebToken because its typed claim
// accessors coerce types (an "aud" array reads as a string, a numeric "sub" as text), and every claim here
// must have exactly the JSON type Firebase issues.
internal sealed class FirebaseJwt
{
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private readonly string _signingInput;

    private FirebaseJwt(string signingInput, string? algorithm, string? keyId, byte[] signature, JsonElement payload)
    {
        _signingInput = signingInput;
        Algorithm = algorithm;
        KeyId = keyId;
        Signature = signature;
        Payload = payload;
    }

    public string? Algorithm { get; }

    public string? KeyId { get; }

    public byte[] Signature { get; }

    public JsonElement Payload { get; }

    public static FirebaseJwt? TryParse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
            return null;

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]), StrictJson);
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]), StrictJson);
            var signature = Base64Url.DecodeFromChars(parts[2]);

            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            if (!TryGetOptionalString(header.RootElement, "alg", out var algorithm)
                || !TryGetOptionalString(header.RootElement, "kid", out var keyId))
                return null;

            var signingInput = token[..(parts[0].Length + 1 + parts[1].Length)];
            return new FirebaseJwt(signingInput, algorithm, keyId, signature, payload.RootElement.Clone());
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    public bool HasValidRs256Signature(RSA key)
    {
        var signingInput = Encoding.ASCII.GetBytes(_signingInput);
        return key.VerifyData(signingInput, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    // A claim that is absent reads as null; one that is present with another JSON type fails.
    public static bool TryGetOptionalString(JsonElement parent, string name, out string? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element))
            return true;
        if (element.ValueKind != JsonValueKind.String)
            return false;
        value = element.GetString();
        return true;
    }
}
