using LearnPlatform.IntegrationTests.Privacy;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>An LTI user's data is exported under their uid, and erasure forgets the platform's identifier and stops their token.</summary>
public sealed class LtiPrivacyTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task AnLtiUserIsExportedAndErasedWithTheirPlatformIdentityAndTheirTokenStopsWorking()
    {
        var subject = $"lms-user-{Guid.NewGuid():N}";
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var exchange = await fixture.LaunchSessionAsync(subject, paper, fixture.Platform.LineItemUrl("privacy-1"));
        var uid = exchange.GetProperty("uid").GetString()!;
        var client = App.SessionClient(exchange);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        var sections = await fixture.Admin.ExportSectionsAsync(uid);

        Assert.Contains(subject, sections.GetProperty("lti_users").GetRawText(), StringComparison.Ordinal);
        Assert.Single(sections.GetProperty("lti_launches").EnumerateArray());
        Assert.False(sections.GetProperty("lti_launches")[0].TryGetProperty("secret_hash", out _));
        Assert.Single(sections.GetProperty("lti_session_links").EnumerateArray());
        Assert.Single(sections.GetProperty("exam_sessions").EnumerateArray());

        using var erased = await fixture.Admin.EraseAsync(uid);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        await App.AssertNoTraceAsync(subject);
        await App.AssertNoTraceAsync(uid);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
        // Launched again, the platform's user is a stranger here: a new uid, a new first attempt.
        var again = await fixture.LaunchSessionAsync(subject, paper);
        Assert.NotEqual(uid, again.GetProperty("uid").GetString());
        Assert.Equal(1, again.GetProperty("session").GetProperty("attempt").GetInt32());
    }
}
