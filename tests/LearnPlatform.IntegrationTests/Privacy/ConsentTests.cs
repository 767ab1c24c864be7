namespace LearnPlatform.IntegrationTests.Privacy;

public sealed class ConsentTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static async Task<JsonElement> ConsentAsync(HttpClient client, string flag)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/me/consents");
        return list.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("flag").GetString() == flag);
    }

    [Fact]
    public async Task BiometricMetricsIsOffUntilTheCandidateGrantsIt()
    {
        var t = await App.PrivacyTenantAsync();

        var before = await ConsentAsync(t.CandidateClient, "biometric_metrics");
        using var granted = await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = true });
        var after = await ConsentAsync(t.CandidateClient, "biometric_metrics");

        Assert.False(before.GetProperty("granted").GetBoolean());
        Assert.False(before.TryGetProperty("changed_at", out _));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.True(after.GetProperty("granted").GetBoolean());
        Assert.True(after.GetProperty("changed_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.False((await ConsentAsync(t.OtherClient, "biometric_metrics")).GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task EveryChangeIsAuditedAndRepeatingTheSameAnswerChangesNothing()
    {
        var t = await App.PrivacyTenantAsync();

        var first = await (await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = true })).Content.ReadFromJsonAsync<JsonElement>();
        var repeat = await (await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = true })).Content.ReadFromJsonAsync<JsonElement>();
        await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = false });

        Assert.Equal(first.GetProperty("changed_at").GetDateTimeOffset(), repeat.GetProperty("changed_at").GetDateTimeOffset());
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = @u AND action = 'consent.grant' AND resource = 'consent/biometric_metrics'", ("t", t.Id), ("u", t.Candidate.Uid)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND actor = @u AND action = 'consent.withdraw'", ("t", t.Id), ("u", t.Candidate.Uid)));
        Assert.False((await ConsentAsync(t.CandidateClient, "biometric_metrics")).GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task WithdrawingConsentDeletesTheMetricsCollectedUnderIt()
    {
        var t = await App.PrivacyTenantAsync();
        var session = (await t.CandidateClient.StartSessionAsync(await App.PublishAsync(t.Id))).Id();
        await t.CandidateClient.GrantMetricsConsentAsync();
        Assert.Equal(HttpStatusCode.OK, (await t.CandidateClient.PutMetricsAsync(session, new { focus_score = 0.5 })).StatusCode);

        await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = false });

        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_metrics WHERE session_id = @s", ("s", session)));
        await (await t.CandidateClient.PutMetricsAsync(session, new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task UnknownFlagIsNotFound()
    {
        var t = await App.PrivacyTenantAsync();

        await (await t.CandidateClient.PutConsentAsync("webcam_recording", new { granted = true })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"granted\": \"yes\"}")]
    [InlineData("{\"granted\": 1}")]
    [InlineData("not json")]
    public async Task MissingOrNonBooleanGrantedIsBadRequest(string body)
    {
        var t = await App.PrivacyTenantAsync();

        var response = await t.CandidateClient.PutAsync("/api/v1/me/consents/biometric_metrics", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM consents WHERE tenant_id = @t", ("t", t.Id)));
    }

    [Fact]
    public async Task GuestsCannotReadOrGrantConsent()
    {
        var t = await App.PrivacyTenantAsync();
        var paper = await App.PublishAsync(t.Id, TestPapers.Sample(guestAccess: true));
        var started = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();
        var guest = App.ClientWithGuestToken(started.GetProperty("guest_token").GetString()!);

        await (await guest.GetAsync("/api/v1/me/consents")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await guest.PutConsentAsync("biometric_metrics", new { granted = true })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await guest.PutMetricsAsync(started.GetProperty("session").Id(), new { focus_score = 0.5 })).AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}
