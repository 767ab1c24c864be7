using System.Security.Cryptography;
using LearnPlatform.Api.Lti;
using LearnPlatform.Core.Lti;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Lti;

public sealed class StateCookieTests
{
    private static readonly string Pem = CreatePem();

    private static string CreatePem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    private static StateCookie Cookie(TimeProvider time, string? pem = null) => new(new LtiToolKey(Options.Create(new LtiOptions { ToolPrivateKey = pem ?? Pem })), time);

    private static HttpRequest RequestWith(string setCookie)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        return context.Request;
    }

    private static string Written(StateCookie cookie, LoginState login)
    {
        var context = new DefaultHttpContext();
        cookie.Write(context.Response, login);
        return context.Response.Headers.SetCookie.ToString();
    }

    [Fact]
    public void TheLoginIsReadBackUntilItExpires()
    {
        var time = new ManualClock();
        var cookie = Cookie(time);
        var login = new LoginState("state-1", "nonce-1", Guid.NewGuid(), Guid.NewGuid(), (time.GetUtcNow() + StateCookie.Lifetime).ToUnixTimeSeconds());
        var request = RequestWith(Written(cookie, login));

        Assert.Equal(login, cookie.Read(request, "state-1").Login);
        time.Advance(StateCookie.Lifetime);
        Assert.Equal("state_cookie_expired", cookie.Read(request, "state-1").Rejection);
    }

    [Fact]
    public void ACookieSignedWithAnotherToolKeyIsRefused()
    {
        var time = new ManualClock();
        var login = new LoginState("state-2", "nonce", Guid.NewGuid(), Guid.NewGuid(), (time.GetUtcNow() + StateCookie.Lifetime).ToUnixTimeSeconds());
        var foreign = Written(Cookie(time, CreatePem()), login);

        Assert.Equal("state_cookie_invalid", Cookie(time).Read(RequestWith(foreign), "state-2").Rejection);
        Assert.Equal("state_cookie_missing", Cookie(time).Read(RequestWith(foreign), "state-3").Rejection);
    }
}
