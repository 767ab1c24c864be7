using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>A user's export holds their sessions' events; their erasure removes them and leaves everyone else's.</summary>
public sealed class TelemetryPrivacyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task ExportHoldsTheUsersEventsAndErasureRemovesOnlyThose()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var other = App.ClientWithBearer((await App.SignUpAsync(t.Tenant)).IdToken);
        var theirs = (await other.StartSessionAsync(t.Paper)).Id();
        await using (var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session))
        {
            await socket.SendBatchAndWaitForAckAsync(1, Event("question_view", questionId: "q2"), Event("copy", data: new { length = 7 }));
        }
        await using (var socket = await App.OpenTelemetryAsync(other, theirs))
        {
            await socket.SendBatchAndWaitForAckAsync(1, Event("blur"));
        }

        var sections = await t.CandidateClient.ExportSectionsAsync(t.Candidate.Uid);
        using var erased = await t.CandidateClient.EraseAsync(t.Candidate.Uid);

        var events = sections.GetProperty("telemetry_events").EnumerateArray().ToList();
        Assert.Equal(["question_view", "copy"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(t.Session, e.GetProperty("session_id").GetGuid()));
        Assert.False(events[0].TryGetProperty("tenant_id", out _));
        Assert.Equal(1, sections.GetProperty("telemetry_connections").GetArrayLength());
        var counts = (await erased.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("counts");
        Assert.Equal(2, counts.GetProperty("telemetry_events").GetInt32());
        Assert.Equal(0, await App.EventCountAsync(t.Session));
        Assert.Equal(1, await App.EventCountAsync(theirs));
    }

    [Fact]
    public async Task MetricsRouteIsMarkedDeprecated()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await t.CandidateClient.GrantMetricsConsentAsync();

        using var response = await t.CandidateClient.PutMetricsAsync(t.Session, new { tab_switches = 1 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("@1796083200", response.Headers.GetValues("Deprecation").Single());
    }
}
