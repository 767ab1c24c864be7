using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LearnPlatform.Core.Lti;

namespace LearnPlatform.Api.Lti;

/// <summary>What the login remembers for the launch, in the browser that logged in.</summary>
public sealed record LoginState(string State, string Nonce, Guid TenantId, Guid PlatformId, long ExpiresAt);

/// <summary>
/// The OIDC state bound to the browser: a short-lived cookie named after the state (so parallel launches in several tabs
/// do not overwrite each other), HMAC-signed with a key derived from the tool key, SameSite=None so the platform's
/// cross-site form post carries it, Secure and host-only (the __Host- prefix).
/// </summary>
public sealed class StateCookie(LtiToolKey toolKey, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const string Prefix = "__Host-lti-";

    public static string Name(string state) => Prefix + state;

    public void Write(HttpResponse response, LoginState login)
    {
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(login));
        response.Cookies.Append(Name(login.State), $"{payload}.{Base64Url.EncodeToString(Sign(payload))}", Options(Lifetime));
    }

    /// <summary>The login this browser started for <paramref name="state"/>, or why there is none.</summary>
    public (LoginState? Login, string? Rejection) Read(HttpRequest request, string state)
    {
        if (!request.Cookies.TryGetValue(Name(state), out var cookie) || cookie is null)
        {
            return (null, "state_cookie_missing");
        }
        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !Base64Url.IsValid(cookie.AsSpan(dot + 1)) || !Base64Url.IsValid(cookie.AsSpan(0, dot))
            || !CryptographicOperations.FixedTimeEquals(Sign(cookie[..dot]), Base64Url.DecodeFromChars(cookie.AsSpan(dot + 1))))
        {
            return (null, "state_cookie_invalid");
        }
        LoginState? login;
        try
        {
            login = JsonSerializer.Deserialize<LoginState>(Base64Url.DecodeFromChars(cookie.AsSpan(0, dot)));
        }
        catch (JsonException)
        {
            return (null, "state_cookie_invalid");
        }
        if (login is null || login.State != state)
        {
            return (null, "state_cookie_invalid");
        }
        return login.ExpiresAt <= time.GetUtcNow().ToUnixTimeSeconds() ? (null, "state_cookie_expired") : (login, null);
    }

    public static void Delete(HttpResponse response, string state) => response.Cookies.Delete(Name(state), Options(TimeSpan.Zero));

    private byte[] Sign(string payload) => HMACSHA256.HashData(toolKey.StateKey, Encoding.ASCII.GetBytes(payload));

    private static CookieOptions Options(TimeSpan maxAge) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.None,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}
