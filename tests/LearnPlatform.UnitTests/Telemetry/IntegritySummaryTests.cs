using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.UnitTests.Telemetry;

public sealed class IntegritySummaryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> Code = new HashSet<string> { "q5" };

    /// <summary>An event at <paramref name="second"/> into the session, received <paramref name="skew"/> seconds later by the server's clock.</summary>
    private static IntegrityEvent At(int second, string type, string? question = null, double skew = 0.2) =>
        new(type, Start.AddSeconds(second), Start.AddSeconds(second + skew), question);

    [Fact]
    public void AbsencesRunFromLeavingToComingBack()
    {
        // Away 10-40 (30 s, blur then focus), then the tab hidden 100-170 (70 s; the blur and focus inside it add nothing).
        var view = IntegritySummary.Summarize(
            [At(10, "blur"), At(40, "focus"), At(100, "visibility_hidden"), At(101, "blur"), At(170, "visibility_visible"), At(171, "focus")],
            Code, Start.AddHours(1));

        Assert.Equal(2, view.TabSwitches);
        Assert.Equal(100, view.FocusLostSeconds);
        Assert.Equal(70, view.LongestAbsenceSeconds);
        Assert.Equal(["focus_lost_over_60s"], view.Flags);
    }

    [Fact]
    public void EventsAreOrderedByTheClientsClockWhateverOrderTheyArrived()
    {
        var view = IntegritySummary.Summarize([At(40, "focus"), At(10, "blur")], Code, Start.AddHours(1));

        Assert.Equal(30, view.FocusLostSeconds);
    }

    [Fact]
    public void AbsenceNeverEndedLastsUntilTheSessionEndedOnTheClientsClock()
    {
        // The client's clock runs 100 s behind: the session ended at 1000 s server time, 900 s client time.
        var view = IntegritySummary.Summarize([At(0, "heartbeat", skew: 100), At(300, "blur", skew: 100)], Code, Start.AddSeconds(1000));

        Assert.Equal(600, view.LongestAbsenceSeconds);
        Assert.Equal(100, view.ClockSkewSeconds);
    }

    [Fact]
    public void FocusWithoutBlurIsNoAbsence()
    {
        var view = IntegritySummary.Summarize([At(5, "focus"), At(6, "visibility_visible")], Code, Start.AddHours(1));

        Assert.Equal(0, view.TabSwitches);
        Assert.Equal(0, view.FocusLostSeconds);
    }

    [Fact]
    public void CountsAndFlagsAtTheirThresholds()
    {
        var events = new List<IntegrityEvent>();
        for (var i = 0; i < 10; i++)
        {
            events.Add(At(i * 10, "blur"));
            events.Add(At(i * 10 + 1, "focus"));
        }
        events.AddRange([At(200, "paste", "q4"), At(201, "paste", "q5"), At(202, "copy"), At(203, "fullscreen_exit"), At(204, "fullscreen_exit"), At(205, "fullscreen_exit")]);

        var view = IntegritySummary.Summarize(events, Code, Start.AddHours(1));

        Assert.Equal(10, view.TabSwitches);
        Assert.Equal(2, view.PasteCount);
        Assert.Equal(1, view.CopyCount);
        Assert.Equal(3, view.FullscreenExits);
        Assert.Equal(["frequent_tab_switches", "paste_into_code", "repeated_fullscreen_exits"], view.Flags);
    }

    [Fact]
    public void BelowTheThresholdsNothingIsFlagged()
    {
        var view = IntegritySummary.Summarize(
            [At(0, "blur"), At(60, "focus"), At(70, "paste", "q4"), At(71, "paste"), At(80, "fullscreen_exit"), At(81, "fullscreen_exit")],
            Code, Start.AddHours(1));

        Assert.Equal(60, view.LongestAbsenceSeconds);
        Assert.Empty(view.Flags);
    }

    [Fact]
    public void ClockSkewIsTheMedianSoOneLateResendDoesNotMoveIt()
    {
        var view = IntegritySummary.Summarize(
            [At(0, "heartbeat", skew: -400), At(1, "heartbeat", skew: -400), At(2, "heartbeat", skew: 3600)],
            Code, Start.AddHours(1));

        Assert.Equal(-400, view.ClockSkewSeconds);
        Assert.Equal(["clock_skew_over_5min"], view.Flags);
    }

    [Fact]
    public void WithoutHeartbeatsTheSkewIsTheSmallestDelay()
    {
        // A batch sent at 130 s (client clock) that the server received 30 s later by its own clock.
        var view = IntegritySummary.Summarize([At(10, "blur", skew: 150), At(70, "focus", skew: 90), At(100, "copy", skew: 60), At(130, "copy", skew: 30)],
            Code, Start.AddHours(1));

        Assert.Equal(30, view.ClockSkewSeconds);
    }

    [Fact]
    public void NoEventsIsAnEmptySummary()
    {
        var view = IntegritySummary.Summarize([], Code, Start);

        Assert.Equal(new IntegrityView(0, 0, 0, 0, 0, 0, 0, []), view with { Flags = [] });
        Assert.Empty(view.Flags);
    }
}
