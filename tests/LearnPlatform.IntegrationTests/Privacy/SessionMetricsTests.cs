namespace LearnPlatform.IntegrationTests.Privacy;

public sealed class SessionMetricsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(PrivacyTenant Tenant, Guid Session)> ConsentedAsync(bool consent = true)
    {
        var t = await App.PrivacyTenantAsync();
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id))).Id();
        if (consent)
        {
            await t.CandidateClient.GrantMetricsConsentAsync();
        }
        return (t, session);
    }

    [Fact]
    public async Task WithConsentTheCandidateReportsDerivedNumbersAndTheLatestAreKept()
    {
        var (t, session) = await ConsentedAsync();

        var first = await t.CandidateClient.PutMetricsAsync(session, new { focus_score = 0.75, tab_switches = 3 });
        var second = await t.CandidateClient.PutMetricsAsync(session, new { tab_switches = 4 });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var stored = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0.75, stored.GetProperty("focus_score").GetDouble());
        Assert.Equal(4, stored.GetProperty("tab_switches").GetInt32());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM session_metrics WHERE session_id = @s AND focus_score = 0.75 AND tab_switches = 4", ("s", session)));
    }

    [Fact]
    public async Task WithoutConsentMetricsAreForbiddenAndNothingIsStored()
    {
        var (t, session) = await ConsentedAsync(consent: false);

        var problem = await (await t.CandidateClient.PutMetricsAsync(session, new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains("biometric_metrics", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_metrics WHERE session_id = @s", ("s", session)));
    }

    [Theory]
    [InlineData("{\"focus_score\": 0.5, \"frame\": \"iVBORw0KGgo=\"}")]
    [InlineData("{\"focus_score\": \"0.5\"}")]
    [InlineData("{\"focus_score\": 1.5}")]
    [InlineData("{\"focus_score\": -0.1}")]
    [InlineData("{\"tab_switches\": 2.5}")]
    [InlineData("{\"tab_switches\": -1}")]
    [InlineData("{}")]
    [InlineData("[0.5]")]
    public async Task AnythingButTheKnownNumbersInRangeIsBadRequest(string body)
    {
        var (t, session) = await ConsentedAsync();

        await (await t.CandidateClient.PutRawMetricsAsync(session, body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_metrics WHERE session_id = @s", ("s", session)));
    }

    [Fact]
    public async Task ABase64BlobInAKnownFieldIsRefused()
    {
        var (t, session) = await ConsentedAsync();
        var blob = Convert.ToBase64String(new byte[600]);

        var response = await t.CandidateClient.PutRawMetricsAsync(session, $"{{\"focus_score\": \"{blob}\"}}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ABodyOverOneKilobyteIsTooLarge()
    {
        var (t, session) = await ConsentedAsync();

        var response = await t.CandidateClient.PutRawMetricsAsync(session, $"{{\"focus_score\": 0.5, \"pad\": \"{new string('A', 4096)}\"}}");

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("video/webm")]
    [InlineData("audio/ogg")]
    [InlineData("application/octet-stream")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task MediaIsUnsupported(string mediaType)
    {
        var (t, session) = await ConsentedAsync();

        await (await t.CandidateClient.PutRawMetricsAsync(session, "\u0089PNG", mediaType)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AnotherCandidatesSessionIsNotFoundEvenForAnAdmin()
    {
        var (t, session) = await ConsentedAsync();
        await t.OtherClient.GrantMetricsConsentAsync();

        await (await t.OtherClient.PutMetricsAsync(session, new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await t.Admin.PutMetricsAsync(session, new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AfterSubmitMetricsAreAConflict()
    {
        var (t, session) = await ConsentedAsync();
        await t.CandidateClient.SubmitAsync(session);

        await (await t.CandidateClient.PutMetricsAsync(session, new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
