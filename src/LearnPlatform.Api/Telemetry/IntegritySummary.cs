namespace LearnPlatform.Api.Telemetry;

public sealed record IntegrityEvent(string Type, DateTimeOffset At, DateTimeOffset ReceivedAt, string? QuestionId);

public sealed record IntegrityView(
    int TabSwitches,
    double FocusLostSeconds,
    int PasteCount,
    int CopyCount,
    int FullscreenExits,
    double LongestAbsenceSeconds,
    double ClockSkewSeconds,
    IReadOnlyList<string> Flags);

/// <summary>
/// A session's integrity summary from its events (docs/api.md, "Integrity timeline"). Signals for a human reviewer,
/// never a penalty: nothing here changes a score. Absences are measured on the client's clock, which is consistent
/// within a session even when it is wrong; the skew says by how much it is wrong.
/// </summary>
public static class IntegritySummary
{
    public const double LongAbsenceSeconds = 60;
    public const int FrequentTabSwitches = 10;
    public const int RepeatedFullscreenExits = 3;
    public const double LargeClockSkewSeconds = 300;

    public static class Flags
    {
        public const string FocusLostOver60s = "focus_lost_over_60s";
        public const string FrequentTabSwitches = "frequent_tab_switches";
        public const string PasteIntoCode = "paste_into_code";
        public const string RepeatedFullscreenExits = "repeated_fullscreen_exits";
        public const string ClockSkewOver5Min = "clock_skew_over_5min";
    }

    /// <param name="sessionEnd">When the session ended (submit or deadline), or now while it runs: an absence still open ends there.</param>
    public static IntegrityView Summarize(IEnumerable<IntegrityEvent> events, IReadOnlySet<string> codeQuestionIds, DateTimeOffset sessionEnd)
    {
        var ordered = events.OrderBy(e => e.At).ToList();
        var skew = ClockSkew(ordered);

        int tabSwitches = 0, pastes = 0, copies = 0, fullscreenExits = 0;
        var pasteIntoCode = false;
        var lost = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        DateTimeOffset? awaySince = null;
        foreach (var e in ordered)
        {
            switch (e.Type)
            {
                case EventTypes.Blur or EventTypes.VisibilityHidden when awaySince is null:
                    awaySince = e.At;
                    tabSwitches++;
                    break;
                case EventTypes.Focus or EventTypes.VisibilityVisible when awaySince is { } since:
                    EndAbsence(e.At - since);
                    awaySince = null;
                    break;
                case EventTypes.Paste:
                    pastes++;
                    pasteIntoCode |= e.QuestionId is { } question && codeQuestionIds.Contains(question);
                    break;
                case EventTypes.Copy:
                    copies++;
                    break;
                case EventTypes.FullscreenExit:
                    fullscreenExits++;
                    break;
            }
        }
        if (awaySince is { } open)
        {
            // Never came back: away until the session ended, on the client's clock.
            var end = sessionEnd - TimeSpan.FromSeconds(skew);
            EndAbsence(end > open ? end - open : TimeSpan.Zero);
        }

        var flags = new List<string>();
        if (longest.TotalSeconds > LongAbsenceSeconds)
        {
            flags.Add(Flags.FocusLostOver60s);
        }
        if (tabSwitches >= FrequentTabSwitches)
        {
            flags.Add(Flags.FrequentTabSwitches);
        }
        if (pasteIntoCode)
        {
            flags.Add(Flags.PasteIntoCode);
        }
        if (fullscreenExits >= RepeatedFullscreenExits)
        {
            flags.Add(Flags.RepeatedFullscreenExits);
        }
        if (Math.Abs(skew) > LargeClockSkewSeconds)
        {
            flags.Add(Flags.ClockSkewOver5Min);
        }
        return new IntegrityView(tabSwitches, Seconds(lost), pastes, copies, fullscreenExits, Seconds(longest), Math.Round(skew, 1), flags);

        void EndAbsence(TimeSpan absence)
        {
            lost += absence;
            longest = absence > longest ? absence : longest;
        }
    }

    private static double Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1);

    /// <summary>
    /// How far the client's clock is behind the server's (negative: ahead), in seconds. Events are batched and may be
    /// resent, so most arrive late; heartbeats are sent as they happen, so their median delay measures the clock. Without
    /// heartbeats, the smallest delay of any event is the closest bound there is. Item analysis uses it too, to end a
    /// session's last question view at the submission.
    /// </summary>
    internal static double ClockSkew(IReadOnlyCollection<IntegrityEvent> events)
    {
        var heartbeats = events.Where(e => e.Type == EventTypes.Heartbeat).Select(Delay).ToList();
        return heartbeats.Count > 0 ? Median(heartbeats) : events.Count > 0 ? events.Min(Delay) : 0;

        static double Delay(IntegrityEvent e) => (e.ReceivedAt - e.At).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
