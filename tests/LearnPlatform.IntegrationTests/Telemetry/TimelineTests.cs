using LearnPlatform.Core.Data;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>The admin timeline (events in order, paged) and the integrity summary derived from the same events.</summary>
public sealed class TimelineTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task AuthorReadsTheEventsInOrderWithBothTimesPageByPage()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var author = await t.SignUpAsync(App, Roles.Author);
        var at = DateTimeOffset.Parse("2026-12-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await using (var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session))
        {
            await socket.SendBatchAndWaitForAckAsync(1, Event("question_view", at, "q1"), Event("blur", at.AddSeconds(5)), Event("focus", at.AddSeconds(9)));
            await socket.SendBatchAndWaitForAckAsync(2, Event("paste", at.AddSeconds(20), "q5", new { length = 12 }));
        }

        var first = await GetAsync(author, $"/api/v1/sessions/{t.Session}/events?limit=3");
        var rest = await GetAsync(author, $"/api/v1/sessions/{t.Session}/events?after={first.GetProperty("next_after").GetInt64()}");

        var page = first.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["question_view", "blur", "focus"], page.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(at, page[0].GetProperty("at").GetDateTimeOffset());
        Assert.True(page[0].GetProperty("received_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal("q1", page[0].GetProperty("question_id").GetString());
        Assert.Equal(1, page[0].GetProperty("seq").GetInt64());
        var last = rest.GetProperty("items").EnumerateArray().Single();
        Assert.Equal("paste", last.GetProperty("type").GetString());
        Assert.Equal(12, last.GetProperty("data").GetProperty("length").GetInt32());
        Assert.False(rest.TryGetProperty("next_after", out _));
    }

    [Fact]
    public async Task IntegritySummaryIsDerivedFromTheEvents()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var admin = await t.SignUpAsync(App, Roles.Admin);
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        await using (var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session))
        {
            await socket.SendBatchAndWaitForAckAsync(1,
                Event("blur", at), Event("focus", at.AddSeconds(30)),
                Event("visibility_hidden", at.AddSeconds(60)), Event("visibility_visible", at.AddSeconds(150)),
                Event("paste", at.AddSeconds(200), "q5"), Event("paste", at.AddSeconds(210), "q4"), Event("copy", at.AddSeconds(220)),
                Event("fullscreen_exit", at.AddSeconds(230)));
        }

        var summary = await GetAsync(admin, $"/api/v1/sessions/{t.Session}/integrity");

        Assert.Equal(2, summary.GetProperty("tab_switches").GetInt32());
        Assert.Equal(120, summary.GetProperty("focus_lost_seconds").GetDouble());
        Assert.Equal(90, summary.GetProperty("longest_absence_seconds").GetDouble());
        Assert.Equal(2, summary.GetProperty("paste_count").GetInt32());
        Assert.Equal(1, summary.GetProperty("copy_count").GetInt32());
        Assert.Equal(1, summary.GetProperty("fullscreen_exits").GetInt32());
        Assert.InRange(summary.GetProperty("clock_skew_seconds").GetDouble(), 300, 900);
        Assert.Equal(["focus_lost_over_60s", "paste_into_code", "clock_skew_over_5min"],
            summary.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task SessionWithoutEventsHasAnEmptySummary()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var author = await t.SignUpAsync(App, Roles.Author);

        var summary = await GetAsync(author, $"/api/v1/sessions/{t.Session}/integrity");
        var events = await GetAsync(author, $"/api/v1/sessions/{t.Session}/events");

        Assert.Equal(0, summary.GetProperty("tab_switches").GetInt32());
        Assert.Empty(summary.GetProperty("flags").EnumerateArray());
        Assert.Empty(events.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task CandidatesAndOtherTenantsCannotReadTheTimeline()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var elsewhere = await TelemetrySetup.StartAsync(App);
        var foreignAdmin = await elsewhere.SignUpAsync(App, Roles.Admin);

        foreach (var path in new[] { "events", "integrity" })
        {
            await (await t.CandidateClient.GetAsync($"/api/v1/sessions/{t.Session}/{path}")).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await foreignAdmin.GetAsync($"/api/v1/sessions/{t.Session}/{path}")).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await App.Client.GetAsync($"/api/v1/sessions/{t.Session}/{path}")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=-1", "after")]
    public async Task OutOfRangePagingIsRefused(string query, string field)
    {
        var t = await TelemetrySetup.StartAsync(App);
        var author = await t.SignUpAsync(App, Roles.Author);

        var problem = await (await author.GetAsync($"/api/v1/sessions/{t.Session}/events?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task MalformedPagingIsRefused()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var author = await t.SignUpAsync(App, Roles.Author);

        await (await author.GetAsync($"/api/v1/sessions/{t.Session}/events?after=abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
