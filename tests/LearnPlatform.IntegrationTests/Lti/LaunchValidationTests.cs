using System.Security.Cryptography;
using LearnPlatform.Core.Lti;
using LearnPlatform.IntegrationTests.Audit;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>One test per rule of the launch: each sends an id_token (or state) that breaks exactly that rule.</summary>
public sealed class LaunchValidationTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;
    private PlatformStandIn Platform => fixture.Platform;

    private async Task<Guid> PaperAsync() => await App.PublishAsync(fixture.Tenant);

    /// <summary>A login, then an id_token with its claims changed by <paramref name="change"/>, posted with the login's cookie.</summary>
    private async Task<HttpResponseMessage> LaunchWithAsync(Action<Dictionary<string, object>> change, RSA? signingKey = null)
    {
        var subject = $"user-{Guid.NewGuid():N}";
        var claims = PlatformStandIn.ResourceLinkClaims(subject, await PaperAsync());
        var login = await App.LoginAsync(subject, "hint");
        change(claims);
        return await App.PostLaunchAsync(Platform.IdToken(claims, login.Nonce, signingKey), login.State, login.Cookie);
    }

    [Fact]
    public async Task AValidLaunchSendsTheBrowserToTheFrontendWithACode()
    {
        using var response = await LaunchWithAsync(_ => { });

        Assert.NotEmpty(LtiCalls.CodeOf(response));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task WrongIssuerIsRefused()
    {
        using var response = await LaunchWithAsync(c => c["iss"] = "https://other-lms.example.test");

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "wrong_issuer");
        Assert.True(response.Headers.WwwAuthenticate.Count > 0);
    }

    [Fact]
    public async Task WrongAudienceIsRefused()
    {
        using var response = await LaunchWithAsync(c => c["aud"] = "some-other-tool");

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "wrong_audience");
    }

    [Fact]
    public async Task WrongAuthorizedPartyIsRefused()
    {
        using var wrongAzp = await LaunchWithAsync(c =>
        {
            c["aud"] = new[] { PlatformStandIn.ClientId, "another-audience" };
            c["azp"] = "another-audience";
        });
        using var missingAzp = await LaunchWithAsync(c => c["aud"] = new[] { PlatformStandIn.ClientId, "another-audience" });

        await wrongAzp.ProblemOfAsync(HttpStatusCode.Unauthorized, "wrong_azp");
        await missingAzp.ProblemOfAsync(HttpStatusCode.Unauthorized, "wrong_azp");
    }

    [Fact]
    public async Task ATokenSignedWithAKeyOutsideThePlatformsJwksIsRefused()
    {
        using var forger = RSA.Create(2048);

        using var response = await LaunchWithAsync(_ => { }, forger);

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "bad_signature");
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedAndTheFailureIsAudited()
    {
        using var response = await LaunchWithAsync(c =>
        {
            c["iat"] = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeSeconds();
            c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        });

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "expired");
        Assert.NotEmpty(await App.AuditRowsAsync("action = 'auth.sign_in_failed' AND details ->> 'reason' = 'lti_expired'"));
    }

    [Fact]
    public async Task ATokenIssuedInTheFutureIsRefused()
    {
        using var response = await LaunchWithAsync(c => c["iat"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds());

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "issued_in_future");
    }

    [Fact]
    public async Task ANonceOtherThanTheLoginsIsRefused()
    {
        using var response = await LaunchWithAsync(c => c["nonce"] = "a-nonce-this-browser-never-got");

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "nonce_mismatch");
    }

    [Fact]
    public async Task AReplayedIdTokenIsRefused()
    {
        var subject = $"user-{Guid.NewGuid():N}";
        var login = await App.LoginAsync(subject, "hint");
        var token = Platform.IdToken(PlatformStandIn.ResourceLinkClaims(subject, await PaperAsync()), login.Nonce);
        using var first = await App.PostLaunchAsync(token, login.State, login.Cookie);
        LtiCalls.CodeOf(first);

        using var replay = await App.PostLaunchAsync(token, login.State, login.Cookie);

        await replay.ProblemOfAsync(HttpStatusCode.Unauthorized, "replayed_nonce");
    }

    [Fact]
    public async Task ALaunchWithoutTheStateCookieIsRefused()
    {
        var subject = $"user-{Guid.NewGuid():N}";
        var login = await App.LoginAsync(subject, "hint");

        using var response = await App.PostLaunchAsync(Platform.IdToken(PlatformStandIn.ResourceLinkClaims(subject, await PaperAsync()), login.Nonce), login.State, cookie: null);

        await response.ProblemOfAsync(HttpStatusCode.Unauthorized, "state_cookie_missing");
    }

    [Fact]
    public async Task AStateCookieOfAnotherLoginOrTamperedWithIsRefused()
    {
        var subject = $"user-{Guid.NewGuid():N}";
        var mine = await App.LoginAsync(subject, "hint");
        var other = await App.LoginAsync(subject, "hint");
        var token = Platform.IdToken(PlatformStandIn.ResourceLinkClaims(subject, await PaperAsync()), mine.Nonce);
        var otherValue = other.Cookie[(other.Cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var mineName = mine.Cookie[..mine.Cookie.IndexOf('=', StringComparison.Ordinal)];
        var mineValue = mine.Cookie[(mineName.Length + 1)..];
        var tampered = mineValue[..^2] + (mineValue[^2] == 'A' ? "B" : "A") + mineValue[^1];

        using var swapped = await App.PostLaunchAsync(token, mine.State, $"{mineName}={otherValue}");
        using var forged = await App.PostLaunchAsync(token, mine.State, $"{mineName}={tampered}");
        using var wrongState = await App.PostLaunchAsync(token, other.State, mine.Cookie);

        await swapped.ProblemOfAsync(HttpStatusCode.Unauthorized, "state_cookie_invalid");
        await forged.ProblemOfAsync(HttpStatusCode.Unauthorized, "state_cookie_invalid");
        await wrongState.ProblemOfAsync(HttpStatusCode.Unauthorized, "state_cookie_missing");
    }

    [Fact]
    public async Task AnUnregisteredDeploymentIsRefused()
    {
        using var response = await LaunchWithAsync(c => c[LtiClaims.DeploymentId] = "42:not-registered");

        await response.ProblemOfAsync(HttpStatusCode.Forbidden, "unknown_deployment");
    }

    [Fact]
    public async Task AnotherLtiVersionIsRefused()
    {
        using var response = await LaunchWithAsync(c => c[LtiClaims.Version] = "1.1.0");

        await response.ProblemOfAsync(HttpStatusCode.BadRequest, "wrong_version");
    }

    [Fact]
    public async Task AMessageTypeOtherThanResourceLinkOrDeepLinkingIsRefused()
    {
        using var response = await LaunchWithAsync(c => c[LtiClaims.MessageType] = "LtiSubmissionReviewRequest");

        await response.ProblemOfAsync(HttpStatusCode.BadRequest, "message_type_not_allowed");
    }

    [Fact]
    public async Task AResourceLinkWithoutAPaperOrToAnUnpublishedPaperIsRefused()
    {
        using var noPaper = await LaunchWithAsync(c => c[LtiClaims.Custom] = new Dictionary<string, object>());
        using var unknownPaper = await LaunchWithAsync(c => c[LtiClaims.Custom] = new Dictionary<string, object> { ["paper_id"] = Guid.NewGuid().ToString() });

        await noPaper.ProblemOfAsync(HttpStatusCode.BadRequest, "missing_paper_id");
        await unknownPaper.ProblemOfAsync(HttpStatusCode.NotFound, "unknown_paper");
    }

    [Fact]
    public async Task DeepLinkingByALearnerIsRefused()
    {
        var subject = $"learner-{Guid.NewGuid():N}";
        var login = await App.LoginAsync(subject, "hint");

        using var response = await App.PostLaunchAsync(Platform.IdToken(Platform.DeepLinkingClaims(subject, instructor: false), login.Nonce), login.State, login.Cookie);

        await response.ProblemOfAsync(HttpStatusCode.Forbidden, "not_instructor");
    }

    [Fact]
    public async Task AMalformedTokenOrMissingFieldsAreBadRequests()
    {
        var login = await App.LoginAsync("someone", "hint");

        using var malformed = await App.PostLaunchAsync("not-a-jwt", login.State, login.Cookie);
        using var browser = App.Browser();
        using var empty = await browser.PostAsync("/lti/launch", new FormUrlEncodedContent(new Dictionary<string, string>()));
        using var json = await browser.PostAsJsonAsync("/lti/launch", new { id_token = "x", state = "y" });

        await malformed.ProblemOfAsync(HttpStatusCode.BadRequest, "malformed_token");
        var missing = await empty.ProblemOfAsync(HttpStatusCode.BadRequest, "missing_parameters");
        Assert.Equal(["id_token", "state"], missing.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        await json.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task ALoginForAnUnknownIssuerOrWithoutItsParametersIsRefused()
    {
        using var browser = App.Browser();

        using var unknown = await browser.GetAsync("/lti/login?iss=https%3A%2F%2Funknown.example.test&login_hint=u&target_link_uri=https%3A%2F%2Ft");
        using var incomplete = await browser.GetAsync($"/lti/login?iss={Uri.EscapeDataString(PlatformStandIn.Issuer)}");
        using var unknownDeployment = await browser.PostAsync("/lti/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["iss"] = PlatformStandIn.Issuer, ["login_hint"] = "u", ["target_link_uri"] = "https://t", ["lti_deployment_id"] = "not-registered",
        }));

        await unknown.ProblemOfAsync(HttpStatusCode.BadRequest, "unknown_platform");
        var missing = await incomplete.ProblemOfAsync(HttpStatusCode.BadRequest, "missing_parameters");
        Assert.Equal(["login_hint", "target_link_uri"], missing.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        await unknownDeployment.ProblemOfAsync(HttpStatusCode.BadRequest, "unknown_platform");
        Assert.False(unknown.Headers.Contains("Set-Cookie"));
        using var json = await browser.PostAsJsonAsync("/lti/login", new { iss = PlatformStandIn.Issuer, login_hint = "u", target_link_uri = "https://t" });
        await json.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task TheLoginSendsTheBrowserToThePlatformWithTheOidcParametersAndAStateCookie()
    {
        var login = await App.LoginAsync("login-hint-value", "message-hint-value");

        Assert.StartsWith(Platform.AuthUrl + "?", login.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal("openid", login.Query["scope"]);
        Assert.Equal("id_token", login.Query["response_type"]);
        Assert.Equal("form_post", login.Query["response_mode"]);
        Assert.Equal("none", login.Query["prompt"]);
        Assert.Equal(PlatformStandIn.ClientId, login.Query["client_id"]);
        Assert.Equal(new Uri(App.BaseAddress, "/lti/launch").ToString(), login.Query["redirect_uri"]);
        Assert.Equal("login-hint-value", login.Query["login_hint"]);
        Assert.Equal("message-hint-value", login.Query["lti_message_hint"]);
        Assert.NotEqual(login.State, login.Nonce);
        Assert.StartsWith($"__Host-lti-{login.State}=", login.Cookie, StringComparison.Ordinal);
        using var browser = App.Browser();
        using var response = await browser.GetAsync($"/lti/login?iss={Uri.EscapeDataString(PlatformStandIn.Issuer)}&login_hint=u&target_link_uri=https%3A%2F%2Ft");
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie")).ToLowerInvariant();
        Assert.Contains("secure", setCookie, StringComparison.Ordinal);
        Assert.Contains("samesite=none", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/", setCookie, StringComparison.Ordinal);
    }
}
