using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.Api.Analysis;

/// <summary>
/// Seconds a session spent on each question, from its <c>question_view</c> events (docs/grading.md, "Item analysis"):
/// a view lasts until the session's next view, and the last one until the submission. Views are ordered and measured
/// on the client's clock, which is consistent within a session even when it is wrong; the submission, on the server's
/// clock, is moved onto the client's by the session's clock skew. Time on a question is summed over its views.
/// </summary>
public static class TimeOnQuestion
{
    /// <param name="events">The session's question_view events, and its heartbeats for the clock skew.</param>
    /// <param name="submittedAt">When the session was submitted (by the candidate or at the deadline), on the server's clock.</param>
    public static IReadOnlyDictionary<string, double> Seconds(IReadOnlyCollection<IntegrityEvent> events, DateTimeOffset submittedAt)
    {
        var views = events.Where(e => e.Type == EventTypes.QuestionView && e.QuestionId is not null).OrderBy(e => e.At).ToList();
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (views.Count == 0)
        {
            return seconds;
        }
        var end = submittedAt - TimeSpan.FromSeconds(IntegritySummary.ClockSkew(events));
        for (var i = 0; i < views.Count; i++)
        {
            var until = i + 1 < views.Count ? views[i + 1].At : end;
            // A view after the submission (a late or wrong client clock) adds nothing rather than a negative time.
            var spent = Math.Max(0, (until - views[i].At).TotalSeconds);
            seconds[views[i].QuestionId!] = seconds.GetValueOrDefault(views[i].QuestionId!) + spent;
        }
        return seconds;
    }
}
