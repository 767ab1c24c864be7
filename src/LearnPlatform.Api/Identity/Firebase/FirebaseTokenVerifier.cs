using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity.Firebase;

// Verifies Firebase ID tokens by the rules Firebase documents for third-party JWT libraries.
// Never logs a token or any part of one, and answers bad input with a rejection, never an exception.
public sealed class FirebaseTokenVerifier : IDisposable
{
    public const int MaxSubjectLength = 128;

    // Tolerance for clock differences between Google and this host, applied to exp, iat and auth_time.
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private const string SignedAlgorithm = "RS256";
    private const string EmulatorAlgorithm = "none";

    private readonly FirebaseOptions _options;
    private readonly FirebaseSigningKeys _keys;
    private readonly TimeProvider _time;
    private readonly VerifiedTokens _verified = new();

    public FirebaseTokenVerifier(
        IOptions<FirebaseOptions> options, FirebaseSigningKeys keys, TimeProvider time, ILogger<FirebaseTokenVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _keys = keys;
        _time = time;

        if (_options.IsEmulatorMode)
            logger.LogWarning("Firebase Auth Emulator mode is on: unsigned tokens are accepted. Never use this in Production.");
    }

    public async ValueTask<FirebaseTokenResult> VerifyAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > _options.MaxTokenLength)
            return FirebaseTokenResult.Rejected(TokenRejection.Oversize);

        var cacheKey = VerifiedTokens.KeyOf(token);
        if (_verified.Find(cacheKey) is { } seen)
        {
            if (seen.ExpiresAtSeconds <= _time.GetUtcNow().ToUnixTimeSeconds() - (long)ClockSkew.TotalSeconds)
                return FirebaseTokenResult.Rejected(TokenRejection.Expired);
            if (ReferenceEquals(await _keys.GetKeyAsync(seen.KeyId, ct), seen.Key))
                return FirebaseTokenResult.Accepted(seen.User);
        }

        var jwt = FirebaseJwt.TryParse(token);
        if (jwt is null)
            return FirebaseTokenResult.Rejected(TokenRejection.Malformed);

        var (signatureRejection, key) = await CheckSignatureAsync(jwt, ct);
        if (signatureRejection is { } rejection)
            return FirebaseTokenResult.Rejected(rejection);

        var result = CheckClaims(jwt.Payload, out var expiresAt);
        if (result.User is { } user && key is not null)
        {
            var acceptableFor = DateTimeOffset.FromUnixTimeSeconds(expiresAt) + ClockSkew - _time.GetUtcNow();
            _verified.Add(cacheKey, new VerifiedTokens.Entry(user, expiresAt, jwt.KeyId!, key), acceptableFor);
        }
        return result;
    }

    public void Dispose() => _verified.Dispose();

    /// <returns>The rejection, or the key that verified the signature (none for the emulator's unsigned tokens).</returns>
    private async ValueTask<(TokenRejection? Rejection, RSA? Key)> CheckSignatureAsync(FirebaseJwt jwt, CancellationToken ct)
    {
        // Ordinal comparisons on purpose: "NoNe" or "rs256" are not the algorithms they resemble.
        if (jwt.Algorithm == EmulatorAlgorithm)
        {
            if (!_options.IsEmulatorMode)
                return (TokenRejection.EmulatorTokenNotAllowed, null);
            return (jwt.Signature.Length == 0 ? null : TokenRejection.Malformed, null);
        }
        if (jwt.Algorithm != SignedAlgorithm)
            return (TokenRejection.UnsupportedAlgorithm, null);

        if (string.IsNullOrEmpty(jwt.KeyId))
            return (TokenRejection.UnknownKey, null);
        var key = await _keys.GetKeyAsync(jwt.KeyId, ct);
        if (key is null)
            return (TokenRejection.UnknownKey, null);

        return jwt.HasValidRs256Signature(key) ? (null, key) : (TokenRejection.BadSignature, null);
    }

    private FirebaseTokenResult CheckClaims(JsonElement claims, out long expiresAt)
    {
        expiresAt = 0;
        if (!IsString(claims, "aud", _options.ProjectId))
            return FirebaseTokenResult.Rejected(TokenRejection.WrongAudience);
        if (!IsString(claims, "iss", _options.ExpectedIssuer))
            return FirebaseTokenResult.Rejected(TokenRejection.WrongIssuer);

        if (!TryGetSeconds(claims, "exp", out expiresAt)
            || !TryGetSeconds(claims, "iat", out var issuedAt)
            || !TryGetSeconds(claims, "auth_time", out var authTime))
            return FirebaseTokenResult.Rejected(TokenRejection.Malformed);

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)ClockSkew.TotalSeconds;
        // Written as now ± skew so that absurd claim values cannot overflow.
        if (expiresAt <= now - skew)
            return FirebaseTokenResult.Rejected(TokenRejection.Expired);
        if (issuedAt > now + skew)
            return FirebaseTokenResult.Rejected(TokenRejection.IssuedInFuture);
        if (authTime > now + skew)
            return FirebaseTokenResult.Rejected(TokenRejection.AuthTimeInFuture);

        if (!claims.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String
            || sub.GetString() is not { Length: > 0 and <= MaxSubjectLength } uid)
            return FirebaseTokenResult.Rejected(TokenRejection.InvalidSubject);

        if (!TryGetFirebaseTenant(claims, out var firebaseTenant)
            || !FirebaseJwt.TryGetOptionalString(claims, "tenant_id", out var tenantIdClaim)
            || !FirebaseJwt.TryGetOptionalString(claims, "email", out var email))
            return FirebaseTokenResult.Rejected(TokenRejection.Malformed);

        return FirebaseTokenResult.Accepted(new FirebaseUser(uid, firebaseTenant, tenantIdClaim, email));
    }

    private static bool IsString(JsonElement claims, string name, string expected) =>
        claims.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
        && value.ValueEquals(expected);

    private static bool TryGetSeconds(JsonElement claims, string name, out long seconds)
    {
        seconds = 0;
        return claims.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out seconds);
    }

    private static bool TryGetFirebaseTenant(JsonElement claims, out string? tenant)
    {
        tenant = null;
        if (!claims.TryGetProperty("firebase", out var firebase))
            return true;
        return firebase.ValueKind == JsonValueKind.Object && FirebaseJwt.TryGetOptionalString(firebase, "tenant", out tenant);
    }
}
