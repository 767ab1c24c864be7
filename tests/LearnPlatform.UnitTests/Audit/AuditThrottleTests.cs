using LearnPlatform.Api.Audit;

namespace LearnPlatform.UnitTests.Audit;

public sealed class AuditThrottleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OneKeyIsWrittenOnceAMinute()
    {
        var clock = new ManualClock(Start);
        var throttle = new AuditThrottle(clock, maxKeys: 10);

        Assert.Equal(ThrottleDecision.Write, throttle.Admit("ip|expired", "expired"));
        Assert.Equal(ThrottleDecision.Suppress, throttle.Admit("ip|expired", "expired"));
        Assert.Equal(ThrottleDecision.Write, throttle.Admit("ip|malformed", "malformed"));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(ThrottleDecision.Suppress, throttle.Admit("ip|expired", "expired"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ThrottleDecision.Write, throttle.Admit("ip|expired", "expired"));
    }

    [Fact]
    public void PastTheKeyCapEventsCollapseIntoOneRowPerOverflowKey()
    {
        var throttle = new AuditThrottle(new ManualClock(Start), maxKeys: 2);

        var decisions = Enumerable.Range(0, 100).Select(i => throttle.Admit($"ip{i}|expired", "expired")).ToList();

        Assert.Equal([ThrottleDecision.Write, ThrottleDecision.Write, ThrottleDecision.WriteAggregated], decisions.Take(3));
        Assert.All(decisions.Skip(3), d => Assert.Equal(ThrottleDecision.Suppress, d));
        Assert.Equal(ThrottleDecision.WriteAggregated, throttle.Admit("ip200|malformed", "malformed"));
    }
}
