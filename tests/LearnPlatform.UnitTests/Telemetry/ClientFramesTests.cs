using System.Text;
using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.UnitTests.Telemetry;

public sealed class ClientFramesTests
{
    private static readonly IReadOnlySet<string> Questions = new HashSet<string> { "q1", "q5" };

    private static (ClientFrame? Frame, FrameError? Error) Parse(string json) => ClientFrames.Parse(Encoding.UTF8.GetBytes(json), Questions);

    [Fact]
    public void SingleEventIsOneEventWithoutSeq()
    {
        var (frame, error) = Parse("""{"type": "blur", "at": "2026-12-01T10:15:30.250+02:00"}""");

        Assert.Null(error);
        Assert.Null(frame!.Seq);
        var e = Assert.Single(frame.Events);
        Assert.Equal("blur", e.Type);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 15, 30, 250, TimeSpan.Zero), e.At);
        Assert.Equal(TimeSpan.Zero, e.At.Offset);
        Assert.Null(e.QuestionId);
        Assert.Null(e.Data);
    }

    [Fact]
    public void BatchKeepsItsSeqAndOrder()
    {
        var (frame, error) = Parse("""
            {"seq": 9007199254740991, "events": [
              {"type": "question_view", "at": "2026-12-01T10:00:00Z", "question_id": "q1"},
              {"type": "paste", "at": "2026-12-01T10:00:01Z", "question_id": "q5", "data": {"length": 40}}]}
            """);

        Assert.Null(error);
        Assert.Equal(ClientFrames.MaxSeq, frame!.Seq);
        Assert.Equal(["question_view", "paste"], frame.Events.Select(e => e.Type));
        Assert.Equal("""{"length":40}""", frame.Events[1].Data);
    }

    [Fact]
    public void KeystrokeStatsDataIsRewrittenFromItsNumbers()
    {
        var (frame, _) = Parse("""{"type": "keystroke_stats", "at": "2026-12-01T10:00:00Z", "data": {"variance_ms2": 2.5, "count": 3, "mean_ms": 1e2}}""");

        Assert.Equal("""{"count":3,"mean_ms":100,"variance_ms2":2.5}""", frame!.Events.Single().Data);
    }

    [Theory]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "data": null}""")]
    [InlineData("""{"type": "copy", "at": "2026-12-01t10:00:00z"}""")]
    [InlineData("""{"type": "copy", "at": "2026-12-01T10:00:00.1234567-05:30", "data": {}}""")]
    [InlineData("""{"seq": 0, "type": "heartbeat", "at": "2026-12-01T10:00:00Z"}""")]
    public void AcceptedShapes(string json) => Assert.Null(Parse(json).Error);

    [Theory]
    [InlineData("{", ErrorCodes.InvalidJson)]
    [InlineData("""{"a": {"b": {"c": {"d": {"e": {}}}}}}""", ErrorCodes.InvalidJson)]
    [InlineData("\"blur\"", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "Blur", "at": "2026-12-01T10:00:00Z"}""", ErrorCodes.UnknownType)]
    [InlineData("""{"type": 1, "at": "2026-12-01T10:00:00Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": 1764583200}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": "2026-12-01 10:00:00Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": "1999-12-31T23:59:59Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": "2026-02-30T10:00:00Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "question_id": "q2"}""", ErrorCodes.UnknownQuestion)]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "question_id": ""}""", ErrorCodes.UnknownQuestion)]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "question_id": 5}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "blur", "at": "2026-12-01T10:00:00Z", "extra": 1}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "heartbeat", "at": "2026-12-01T10:00:00Z", "data": {"length": 1}}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "paste", "at": "2026-12-01T10:00:00Z", "data": {"length": 1, "length": 2}}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "paste", "at": "2026-12-01T10:00:00Z", "data": {"length": 1e12}}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "paste", "at": "2026-12-01T10:00:00Z", "data": "text"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "keystroke_stats", "at": "2026-12-01T10:00:00Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"type": "keystroke_stats", "at": "2026-12-01T10:00:00Z", "data": {"count": 1, "mean_ms": 1, "variance_ms2": 1, "codes": [65]}}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"seq": 1.5, "type": "blur", "at": "2026-12-01T10:00:00Z"}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"seq": 9007199254740992, "events": [{"type": "blur", "at": "2026-12-01T10:00:00Z"}]}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"seq": 1, "events": [{"seq": 2, "type": "blur", "at": "2026-12-01T10:00:00Z"}]}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"seq": 1, "events": {"type": "blur"}}""", ErrorCodes.InvalidFrame)]
    [InlineData("""{"seq": 1, "type": "blur", "events": []}""", ErrorCodes.InvalidFrame)]
    public void RefusedShapes(string json, string code)
    {
        var (frame, error) = Parse(json);

        Assert.Null(frame);
        Assert.Equal(code, error!.Code);
    }

    [Fact]
    public void ErrorInABatchNamesTheBatchsSeq()
    {
        var (_, error) = Parse("""{"seq": 4, "events": [{"type": "blur", "at": "2026-12-01T10:00:00Z"}, {"type": "nope", "at": "2026-12-01T10:00:00Z"}]}""");

        Assert.Equal(ErrorCodes.UnknownType, error!.Code);
        Assert.Equal(4, error.Seq);
    }

    [Fact]
    public void FiftyEventsFitAndFiftyOneDoNot()
    {
        string Batch(int n) => $$"""{"seq": 1, "events": [{{string.Join(",", Enumerable.Repeat("""{"type":"blur","at":"2026-12-01T10:00:00Z"}""", n))}}]}""";

        Assert.Equal(50, Parse(Batch(50)).Frame!.Events.Count);
        Assert.Equal(ErrorCodes.InvalidFrame, Parse(Batch(51)).Error!.Code);
    }

    [Fact]
    public void OutgoingFramesEchoNothingButTheSeq()
    {
        Assert.Equal("""{"type":"ack","seq":12}""", Encoding.UTF8.GetString(OutgoingFrames.Ack(12)));
        Assert.Equal("""{"type":"ack"}""", Encoding.UTF8.GetString(OutgoingFrames.Ack(null)));
        Assert.Equal("""{"type":"error","code":"unknown_type","message":"m","seq":3}""",
            Encoding.UTF8.GetString(OutgoingFrames.Error(new FrameError(ErrorCodes.UnknownType, "m", 3))));
        Assert.Equal("""{"type":"heartbeat","at":"2026-12-01T10:00:00Z"}""",
            Encoding.UTF8.GetString(OutgoingFrames.Heartbeat(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero))));
    }
}
