using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Audit;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>A learner's resource link launch, from the platform's form post to answering and submitting through the session token.</summary>
public sealed class LaunchTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task TheExchangeStartsTheLtiUsersSessionAndItsTokenTakesThatSessionOnly()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());

        var exchange = await fixture.LaunchSessionAsync("learner-1", paper);

        Assert.Equal("resource_link", exchange.GetProperty("kind").GetString());
        Assert.Equal(Roles.Candidate, exchange.GetProperty("role").GetString());
        var uid = exchange.GetProperty("uid").GetString()!;
        Assert.StartsWith("lti:", uid, StringComparison.Ordinal);
        Assert.DoesNotContain("learner-1", uid, StringComparison.Ordinal);
        var session = exchange.GetProperty("session");
        Assert.Equal(paper, session.GetProperty("paper_id").GetGuid());
        Assert.Equal("in_progress", session.GetProperty("status").GetString());
        Assert.False(session.GetProperty("questions").GetRawText().Contains("\"correct\"", StringComparison.Ordinal));

        var client = App.SessionClient(exchange);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(uid, me.GetProperty("uid").GetString());
        Assert.Equal(session.Id(), me.GetProperty("session_id").GetGuid());
        Assert.Equal(HttpStatusCode.OK, (await client.SaveAsync(session.Id(), "q1", new[] { "4" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SubmitAsync(session.Id())).StatusCode);
        var result = await client.WaitForResultAsync(session.Id());
        Assert.Equal(1m, result.GetProperty("score").GetDecimal());
        // Session-scoped: nothing else of the tenant.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/exams")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper })).StatusCode);
        var rows = await App.AuditRowsAsync("tenant_id = @t AND actor = @u", ("t", fixture.Tenant), ("u", uid));
        Assert.Equal(["lti.launch", "session.start", "session.submit"], rows.Select(r => r.Action).Where(a => a != "access.denied"));
        Assert.Equal(2, rows.Count(r => r.Action == "access.denied"));
    }

    [Fact]
    public async Task ACodeIsSingleUseAndAnUnknownCodeIsRefused()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        using var launch = await App.LaunchThroughPlatformAsync(fixture.Platform, PlatformStandIn.ResourceLinkClaims("learner-2", paper));
        var code = LtiCalls.CodeOf(launch);

        using var first = await App.ExchangeAsync(code);
        using var second = await App.ExchangeAsync(code);
        var token = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_token").GetString()!;
        using var unknown = await App.ExchangeAsync("not-a-code");
        using var missing = await App.Client.PostAsJsonAsync("/api/v1/lti/exchange", new { });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknown.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("code", out _));
        Assert.True((await missing.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("code", out _));
        Assert.DoesNotContain(code, App.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token, App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchingAgainResumesTheSessionAndAfterTheLastAttemptShowsTheResult()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var first = await fixture.LaunchSessionAsync("learner-3", paper);
        var again = await fixture.LaunchSessionAsync("learner-3", paper);
        Assert.Equal(first.GetProperty("session").Id(), again.GetProperty("session").Id());
        Assert.Equal(first.GetProperty("uid").GetString(), again.GetProperty("uid").GetString());
        var session = first.GetProperty("session").Id();
        await App.SessionClient(first).SubmitAsync(session);

        var afterSubmit = await fixture.LaunchSessionAsync("learner-3", paper);

        Assert.Equal(session, afterSubmit.GetProperty("session").Id());
        var result = await App.SessionClient(afterSubmit).WaitForResultAsync(session);
        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.True(afterSubmit.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task TwoLtiUsersGetTwoUidsAndAnInstructorIsAnAuthor()
    {
        var paper = await App.PublishAsync(fixture.Tenant, LtiPapers.AutoGraded());
        var learner = await fixture.LaunchSessionAsync("learner-4", paper);
        using var launch = await App.LaunchThroughPlatformAsync(fixture.Platform, PlatformStandIn.ResourceLinkClaims("teacher-4", paper, instructor: true));
        var teacher = await App.ExchangeOkAsync(LtiCalls.CodeOf(launch));

        Assert.NotEqual(learner.GetProperty("uid").GetString(), teacher.GetProperty("uid").GetString());
        Assert.Equal(Roles.Author, teacher.GetProperty("role").GetString());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM lti_users WHERE subject = 'teacher-4'"));
    }

    [Fact]
    public async Task TheToolsJwksHoldsItsPublicKeyOnly()
    {
        var jwks = await App.Client.GetFromJsonAsync<JsonElement>("/lti/jwks");

        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.False(string.IsNullOrEmpty(key.GetProperty("kid").GetString()));
        Assert.False(key.TryGetProperty("d", out _));
        Assert.False(key.TryGetProperty("p", out _));
    }
}
