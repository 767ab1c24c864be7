using LearnPlatform.Core.Scheduling;

namespace LearnPlatform.UnitTests.Scheduling;

public sealed class ScheduledRunTests
{
    private static readonly ScheduledRun Hourly = new("data-retention", TimeSpan.FromHours(1), slot => slot);

    [Fact]
    public void EveryMomentOfAnIntervalFallsInTheSameSlot()
    {
        var start = new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);

        Assert.Equal(start, ScheduledRun.SlotOf(start, Hourly.Interval));
        Assert.Equal(start, ScheduledRun.SlotOf(start.AddMinutes(59).AddSeconds(59), Hourly.Interval));
        Assert.Equal(start.AddHours(1), ScheduledRun.SlotOf(start.AddHours(1), Hourly.Interval));
        Assert.Equal(start, ScheduledRun.SlotOf(new DateTimeOffset(2026, 12, 2, 6, 30, 0, TimeSpan.FromHours(1)), Hourly.Interval));
    }

    [Fact]
    public void TheKeyNamesTheWorkflowTypeAndTheSlotInUtc()
    {
        var slot = new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.FromHours(1));

        Assert.Equal("data-retention:2026-12-02T05:00:00Z", Hourly.KeyOf(slot));
    }
}
