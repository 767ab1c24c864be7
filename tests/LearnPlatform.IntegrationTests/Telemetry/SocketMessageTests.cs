using System.Net.WebSockets;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>Frames over a real WebSocket: acknowledgements after storage, refusals as error frames, and the closes for abuse.</summary>
public sealed class SocketMessageTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task BatchIsStoredThenAcknowledgedWithItsSeq()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        var frames = await socket.SendBatchAndWaitForAckAsync(7, Event("question_view", questionId: "q1"), Event("blur"), Event("focus"),
            Event("paste", questionId: "q5", data: new { length = 42 }));

        Assert.Equal("""{"type":"ack","seq":7}""", frames.Single().GetRawText());
        Assert.Equal(4, await App.EventCountAsync(t.Session));
        Assert.Equal(1, await App.CountAsync("""
            SELECT count(*) FROM telemetry_events WHERE session_id = @s AND seq = 7 AND idx = 3 AND type = 'paste'
              AND question_id = 'q5' AND data = '{"length": 42}'::jsonb AND tenant_id = @t
            """, ("s", t.Session), ("t", t.Tenant)));
    }

    [Fact]
    public async Task SingleEventWithoutSeqIsAcknowledgedWithoutOne()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendJsonAsync(Event("visibility_hidden"));
        var ack = await socket.ReceiveAsync();
        await socket.SendJsonAsync(new { seq = 3, type = "visibility_visible", at = DateTimeOffset.UtcNow.ToString("O") });
        var second = await socket.ReceiveAsync();

        Assert.Equal("""{"type":"ack"}""", ack.GetRawText());
        Assert.Equal("""{"type":"ack","seq":3}""", second.GetRawText());
        Assert.Equal(2, await App.EventCountAsync(t.Session));
    }

    [Fact]
    public async Task ResendAfterReconnectIsStoredOnce()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var events = new[] { Event("blur"), Event("focus"), Event("heartbeat") };
        await using (var first = await App.OpenTelemetryAsync(t.CandidateClient, t.Session))
        {
            await first.SendBatchAndWaitForAckAsync(1, events);
        }

        // The client did not see the ack (say), reconnects and sends the same batch again, then a new one.
        await using var second = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        await second.SendBatchAndWaitForAckAsync(1, events);
        await second.SendBatchAndWaitForAckAsync(2, Event("blur"));

        Assert.Equal(4, await App.EventCountAsync(t.Session));
        Assert.Equal(3, await App.CountAsync("SELECT count(*) FROM telemetry_events WHERE session_id = @s AND seq = 1", ("s", t.Session)));
    }

    [Fact]
    public async Task SameBatchSentTwiceAtOnceIsStoredOnceAndAcknowledgedTwice()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        var events = new[] { Event("blur"), Event("focus") };

        for (var i = 0; i < 5; i++)
        {
            await socket.SendBatchAsync(9, events);
        }
        var acks = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            acks.Add((await socket.ReceiveAsync()).GetRawText());
        }

        Assert.All(acks, ack => Assert.Equal("""{"type":"ack","seq":9}""", ack));
        Assert.Equal(2, await App.EventCountAsync(t.Session));
    }

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1, 2]", "invalid_frame")]
    [InlineData("""{"type": "telepathy", "at": "2026-12-01T10:00:00Z"}""", "unknown_type")]
    [InlineData("""{"type": "blur"}""", "invalid_frame")]
    [InlineData("""{"type": "blur", "at": "yesterday"}""", "invalid_frame")]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00"}""", "invalid_frame")]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "keys": "hunter2"}""", "invalid_frame")]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "data": {"x": 1}}""", "invalid_frame")]
    [InlineData("""{"type": "paste", "at": "2026-12-01T10:00:00Z", "data": {"length": 3, "text": "abc"}}""", "invalid_frame")]
    [InlineData("""{"type": "question_view", "at": "2026-12-01T10:00:00Z"}""", "invalid_frame")]
    [InlineData("""{"type": "question_view", "at": "2026-12-01T10:00:00Z", "question_id": "q99"}""", "unknown_question")]
    [InlineData("""{"events": [{"type": "blur", "at": "2026-12-01T10:00:00Z"}]}""", "invalid_frame")]
    [InlineData("""{"seq": -1, "events": [{"type": "blur", "at": "2026-12-01T10:00:00Z"}]}""", "invalid_frame")]
    [InlineData("""{"seq": 1, "events": []}""", "invalid_frame")]
    public async Task BadFrameGetsAnErrorFrameAndNothingIsStored(string frame, string code)
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendTextAsync(frame);
        var error = await socket.ReceiveAsync();

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.DoesNotContain("hunter2", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await App.EventCountAsync(t.Session));
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task BatchOfMoreThanFiftyEventsIsRefusedWhole()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendTextAsync(JsonSerializer.Serialize(new { seq = 1, events = Enumerable.Range(0, 51).Select(_ => new { type = "blur", at = "2026-12-01T10:00:00Z" }) }));
        var error = await socket.ReceiveAsync();

        Assert.Equal("invalid_frame", error.GetProperty("code").GetString());
        Assert.Equal(1, error.GetProperty("seq").GetInt64());
        Assert.Equal(0, await App.EventCountAsync(t.Session));
    }

    [Fact]
    public async Task ThirdBadFrameClosesWithPolicyViolation()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        for (var i = 0; i < 3; i++)
        {
            await socket.SendTextAsync("""{"type": "telepathy", "at": "2026-12-01T10:00:00Z"}""");
        }

        Assert.Equal(1008, (await socket.ClosedAsync()).Status);
    }

    [Fact]
    public async Task FrameOverFourKibibytesClosesWithMessageTooBig()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendTextAsync($$"""{"type": "blur", "at": "2026-12-01T10:00:00Z", "pad": "{{new string('x', 4096)}}"}""");

        Assert.Equal(1009, (await socket.ClosedAsync()).Status);
        Assert.Equal(0, await App.EventCountAsync(t.Session));
    }

    [Fact]
    public async Task FrameOfExactlyFourKibibytesIsRead()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        var frame = """{"seq": 5, "events": [{"type": "blur", "at": "2026-12-01T10:00:00Z"}]}""";

        await socket.SendTextAsync(frame + new string(' ', 4096 - frame.Length));

        Assert.Equal("""{"type":"ack","seq":5}""", (await socket.ReceiveAsync()).GetRawText());
    }

    [Fact]
    public async Task BinaryFrameClosesWithUnsupportedData()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.SendAsync([0x7b, 0x7d], WebSocketMessageType.Binary);

        Assert.Equal(1003, (await socket.ClosedAsync()).Status);
    }

    [Fact]
    public async Task FloodOfEventsClosesWithPolicyViolation()
    {
        var t = await TelemetrySetup.StartAsync(App);
        await using var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);
        var batch = Enumerable.Range(0, 50).Select(_ => Event("heartbeat")).ToArray();

        // 20 a second for 5 seconds is the most a burst may hold; 150 at once is a flood.
        for (var seq = 0; seq < 3 && socket.State == WebSocketState.Open; seq++)
        {
            await socket.SendBatchAsync(seq, batch);
        }

        Assert.Equal(1008, (await socket.ClosedAsync()).Status);
        Assert.True(await App.EventCountAsync(t.Session) <= 100);
    }

    [Fact]
    public async Task ClientCloseIsAnswered()
    {
        var t = await TelemetrySetup.StartAsync(App);
        var socket = await App.OpenTelemetryAsync(t.CandidateClient, t.Session);

        await socket.CloseAsync();

        Assert.Equal(WebSocketState.Closed, socket.State);
        await socket.DisposeAsync();
    }
}
