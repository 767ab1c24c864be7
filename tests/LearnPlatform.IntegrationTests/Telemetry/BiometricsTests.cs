using LearnPlatform.IntegrationTests.Privacy;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>keystroke_stats: derived numbers only, and only under the candidate's biometric_metrics consent.</summary>
public sealed class BiometricsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly object Stats = new { count = 120, mean_ms = 180.5, variance_ms2 = 900.25 };

    private TestApp App => fixture.App;

    [Fact]
    public async Task WithoutConsentKeystrokeStatsAreDroppedAndAnsweredOnce()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        var first = await socket.SendBatchAndWaitForAckAsync(1, Event("keystroke_stats", data: Stats), Event("blur"));
        var second = await socket.SendBatchAndWaitForAckAsync(2, Event("keystroke_stats", data: Stats));

        Assert.Equal(2, first.Count);
        Assert.Equal("error", first[0].GetProperty("type").GetString());
        Assert.Equal("consent_required", first[0].GetProperty("code").GetString());
        Assert.Single(second);
        Assert.Equal(0, await App.EventCountAsync(t.Session, "keystroke_stats"));
        Assert.Equal(1, await App.EventCountAsync(t.Session, "blur"));
    }

    [Fact]
    public async Task WithConsentKeystrokeStatsAreStoredAsTheirNumbers()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await t.CandidateClient.GrantMetricsConsentAsync();
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        var frames = await socket.SendBatchAndWaitForAckAsync(1, Event("keystroke_stats", questionId: "q4", data: Stats));

        Assert.Single(frames);
        Assert.Equal(1, await App.CountAsync("""
            SELECT count(*) FROM telemetry_events WHERE session_id = @s AND type = 'keystroke_stats'
              AND data = '{"count": 120, "mean_ms": 180.5, "variance_ms2": 900.25}'::jsonb
            """, ("s", t.Session)));
    }

    [Theory]
    [InlineData("""{"count": 3, "mean_ms": 100, "variance_ms2": 5, "keys": "abc"}""")]
    [InlineData("""{"count": 3, "mean_ms": 100}""")]
    [InlineData("""{"count": 3.5, "mean_ms": 100, "variance_ms2": 5}""")]
    [InlineData("""{"count": -1, "mean_ms": 100, "variance_ms2": 5}""")]
    [InlineData("""{"count": "3", "mean_ms": 100, "variance_ms2": 5}""")]
    [InlineData("""[3, 100, 5]""")]
    public async Task KeystrokeStatsCarryOnlyTheirThreeNumbers(string data)
    {
        var t = await TelemetrySetup.StartAsync(App);
        await t.CandidateClient.GrantMetricsConsentAsync();
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendTextAsync($$"""{"type": "keystroke_stats", "at": "2026-12-01T10:00:00Z", "data": {{data}}}""");
        var error = await socket.ReceiveAsync();

        Assert.Equal("invalid_frame", error.GetProperty("code").GetString());
        Assert.DoesNotContain("abc", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await App.EventCountAsync(t.Session));
    }

    [Fact]
    public async Task WithdrawingConsentDeletesKeystrokeStatsAndRefusesNewOnes()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await t.CandidateClient.GrantMetricsConsentAsync();
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        await socket.SendBatchAndWaitForAckAsync(1, Event("keystroke_stats", data: Stats), Event("blur"));

        Assert.Equal(HttpStatusCode.OK, (await t.CandidateClient.PutConsentAsync("biometric_metrics", new { granted = false })).StatusCode);
        // This socket read the consent when it opened; the store checks it again in the insert.
        await socket.SendBatchAndWaitForAckAsync(2, Event("keystroke_stats", data: Stats));

        Assert.Equal(0, await App.EventCountAsync(t.Session, "keystroke_stats"));
        Assert.Equal(1, await App.EventCountAsync(t.Session, "blur"));
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE action = 'consent.withdraw' AND actor = @u AND (details ->> 'keystroke_stats_removed')::int = 1", ("u", t.Candidate.Uid)));
    }
}
