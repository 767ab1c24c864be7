using LearnPlatform.IntegrationTests.Privacy;
using Microsoft.Extensions.DependencyInjection;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>
/// When the server closes the socket: at submit and at the deadline (1000), and when a newer connection of the same
/// session opens (4000), on this replica or another one over the same database.
/// </summary>
public sealed class CloseTests(CloseTests.Fixture fixture) : IClassFixture<CloseTests.Fixture>
{
    public sealed class Fixture : AppFixture
    {
        public ManualClock Clock { get; } = new();

        public override async Task InitializeAsync() =>
            App = await TestApp.StartAsync(
                settings => settings["Telemetry:HeartbeatInterval"] = "00:00:00.300",
                builder => builder.Services.AddSingleton<TimeProvider>(Clock));
    }

    private TestApp App => fixture.App;

    [Fact]
    public async Task SubmitClosesTheSocketNormally()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        await socket.SendBatchAndWaitForAckAsync(1, Event("blur"));

        Assert.Equal(HttpStatusCode.Accepted, (await t.CandidateClient.SubmitAsync(t.Session)).StatusCode);

        Assert.Equal(1000, (await socket.ClosedAsync()).Status);
    }

    [Fact]
    public async Task DeadlineClosesTheSocketNormally()
    {
        var t = await TelemetrySetup.StartAsync(App, TestPapers.Sample(timeLimitSeconds: 60));
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(1000, (await socket.ClosedAsync()).Status);
        // The socket closes at the deadline itself; the deadline's run submits the session moments later.
        await Eventually.TrueAsync(
            async () => await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND status <> 'in_progress'", ("s", t.Session)) == 1,
            TimeSpan.FromSeconds(30), "the deadline to submit the session");
    }

    [Fact]
    public async Task NewConnectionReplacesTheOldOneWith4000()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var old = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await using var current = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        Assert.Equal(4000, (await old.ClosedAsync()).Status);
        await current.SendBatchAndWaitForAckAsync(1, Event("focus"));
        Assert.Equal(2, await App.CountAsync("SELECT generation FROM telemetry_connections WHERE session_id = @s", ("s", t.Session)));
    }

    [Fact]
    public async Task ConnectionOnAnotherReplicaReplacesTheOldOne()
    {
        await using var replica = await TestApp.StartAsync(database: App.Database);
        var t = await TelemetrySetup.StartAsync(App);
        await using var onFirst = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await using var onSecond = await replica.OpenTelemetryAsync(replica.ClientWithBearer(t.Candidate.IdToken), t.Session);

        Assert.Equal(4000, (await onFirst.ClosedAsync()).Status);
        await onSecond.SendBatchAndWaitForAckAsync(1, Event("focus"));
        Assert.Equal(1, await App.EventCountAsync(t.Session));
    }

    [Fact]
    public async Task SubmitOnAnotherReplicaClosesTheSocket()
    {
        await using var replica = await TestApp.StartAsync(database: App.Database);
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        Assert.Equal(HttpStatusCode.Accepted, (await replica.ClientWithBearer(t.Candidate.IdToken).SubmitAsync(t.Session)).StatusCode);

        Assert.Equal(1000, (await socket.ClosedAsync()).Status);
    }

    [Fact]
    public async Task NewerGenerationIsSeenAtTheNextHeartbeatEvenWithoutANotification()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        // As if a replica's notification were lost: the generation moves on in the database alone.
        await App.ExecuteAsync("UPDATE telemetry_connections SET generation = generation + 1 WHERE session_id = @s", ("s", t.Session));

        Assert.Equal(4000, (await socket.ClosedAsync()).Status);
    }

    [Fact]
    public async Task ShutdownClosesWithGoingAway()
    {
        var replica = await TestApp.StartAsync(database: App.Database);
        var t = await TelemetrySetup.StartAsync(replica);
        await using var socket = await replica.OpenTelemetryAsync(t.CandidateClient, t.Session);
        // An acknowledged batch shows the server has registered the socket (the handshake's answer can come first).
        await socket.SendBatchAsync(1, Event("focus"));
        Assert.Equal("""{"type":"ack","seq":1}""", (await socket.ReceiveAsync()).GetRawText());

        var stopping = replica.DisposeAsync();

        Assert.Equal(1001, (await socket.ClosedAsync()).Status);
        await stopping;
    }

    [Fact]
    public async Task ServerSendsHeartbeats()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        var heartbeat = await socket.ReceiveAsync(skipHeartbeats: false);

        Assert.Equal("heartbeat", heartbeat.GetProperty("type").GetString());
        Assert.Equal(fixture.Clock.GetUtcNow(), heartbeat.GetProperty("at").GetDateTimeOffset());
    }
}
