using LearnPlatform.Api.Analysis;
using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.UnitTests.Analysis;

public sealed class TimeOnQuestionTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    // The client's clock runs 100 s behind the server's: each event arrives (received) 100 s after its client time.
    private static IntegrityEvent View(string question, double second, double skew = 100) =>
        new(EventTypes.QuestionView, Start.AddSeconds(second), Start.AddSeconds(second + skew), question);

    [Fact]
    public void EachViewLastsUntilTheNextAndTheLastUntilTheSubmissionOnTheClientsClock()
    {
        var events = new[] { View("q1", 0), View("q2", 40), View("q1", 70), View("q3", 80) };

        // Submitted at server time +200 s, which is client time +100 s.
        var seconds = TimeOnQuestion.Seconds(events, Start.AddSeconds(200));

        Assert.Equal(50, seconds["q1"]);
        Assert.Equal(30, seconds["q2"]);
        Assert.Equal(20, seconds["q3"]);
    }

    [Fact]
    public void HeartbeatsSetTheSkewAndEndNoView()
    {
        var heartbeat = new IntegrityEvent(EventTypes.Heartbeat, Start.AddSeconds(50), Start.AddSeconds(60), null);
        // Views arriving late (a resent batch) would suggest a 100 s skew; the heartbeat says 10 s.
        var events = new[] { View("q1", 0), heartbeat, View("q2", 30) };

        var seconds = TimeOnQuestion.Seconds(events, Start.AddSeconds(100));

        Assert.Equal(30, seconds["q1"]);
        Assert.Equal(60, seconds["q2"]);
    }

    [Fact]
    public void ViewsOrderedByClientTimeNotArrivalAndNeverNegative()
    {
        // q2's view arrives first, though it happened later; q3 is viewed after the submission by the client's clock.
        var events = new[] { View("q2", 20), View("q1", 0), View("q3", 500) };

        var seconds = TimeOnQuestion.Seconds(events, Start.AddSeconds(200));

        Assert.Equal(20, seconds["q1"]);
        Assert.Equal(480, seconds["q2"]);
        Assert.Equal(0, seconds["q3"]);
    }

    [Fact]
    public void NoViewsNoTimes() =>
        Assert.Empty(TimeOnQuestion.Seconds([new IntegrityEvent(EventTypes.Heartbeat, Start, Start, null)], Start.AddSeconds(60)));
}
