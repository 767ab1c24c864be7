using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LearnPlatform.Testing;

// Builds compact JWTs with any header and claims, signed, HMAC-signed or unsigned.
public static class TestTokens
{
    public const string ProjectId = "learnplatform-test";
    public const string Uid = "firebase-uid-1";
    public const string FirebaseTenant = "idp-tenant-a1b2";
    public const string TenantId = "6f1c2a4e-8b1d-4c55-9a3e-2f7d9b0c1e42";
    public const string Email = "candidate@example.com";

    // The claims of a genuine Firebase ID token for ProjectId, issued a minute before now.
    public static Dictionary<string, object?> ValidClaims(DateTimeOffset now, string projectId = ProjectId)
    {
        var seconds = now.ToUnixTimeSeconds();
        return new()
        {
            ["iss"] = "https://securetoken.google.com/" + projectId,
            ["aud"] = projectId,
            ["auth_time"] = seconds - 120,
            ["user_id"] = Uid,
            ["sub"] = Uid,
            ["iat"] = seconds - 60,
            ["exp"] = seconds + 3540,
            ["email"] = Email,
            ["email_verified"] = true,
            ["tenant_id"] = TenantId,
            ["firebase"] = new Dictionary<string, object?>
            {
                ["identities"] = new Dictionary<string, object?> { ["email"] = new[] { Email } },
                ["sign_in_provider"] = "password",
                ["tenant"] = FirebaseTenant,
            },
        };
    }

    public static string SignedRs256(TestSigningKey key, Dictionary<string, object?> claims, string? kid = null, string alg = "RS256")
    {
        var header = new Dictionary<string, object?> { ["alg"] = alg, ["kid"] = kid ?? key.Kid, ["typ"] = "JWT" };
        return Signed(header, claims, input => key.Rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string SignedHs256(byte[] secret, string kid, Dictionary<string, object?> claims)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "JWT" };
        return Signed(header, claims, input => HMACSHA256.HashData(secret, input));
    }

    // What the Firebase Auth Emulator issues: alg "none" and an empty signature.
    public static string Unsigned(Dictionary<string, object?> claims, string alg = "none") =>
        Encode(new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT" }) + "." + Encode(claims) + ".";

    public static string Signed(Dictionary<string, object?> header, Dictionary<string, object?> claims, Func<byte[], byte[]> sign)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        return signingInput + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string Encode(object json) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));

    public static string EncodeText(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
