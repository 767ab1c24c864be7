namespace LearnPlatform.Api.Analysis;

/// <summary>One question of the paper version being analysed.</summary>
public sealed record AnalysedQuestion(string Id, decimal MaxPoints, IReadOnlyList<string>? Options);

/// <summary>One graded session's answer to one question. <c>Chosen</c> is set for choice questions only.</summary>
public sealed record ItemResult(decimal Score, bool Answered, IReadOnlyList<string>? Chosen = null, double? SecondsSpent = null);

/// <summary>One graded session: its results by question id (a missing entry counts as omitted, score 0).</summary>
public sealed record AnalysedSession(Guid SessionId, IReadOnlyDictionary<string, ItemResult> Items);

public sealed record OptionStatistics(string Option, double TopGroupRate, double BottomGroupRate);

public sealed record QuestionStatistics(
    string QuestionId, double? Facility, double? Discrimination, double? MeanSecondsSpent, double OmissionRate, IReadOnlyList<OptionStatistics>? Options);

public sealed record PaperStatistics(int Sessions, int GroupSize, double? CronbachAlpha, IReadOnlyList<QuestionStatistics> Questions);

/// <summary>
/// Classical item analysis (formulas in docs/grading.md). Figures that a sample cannot define (no sessions, no
/// variance, fewer than two questions) are null rather than a made-up 0.
/// </summary>
public static class ItemStatistics
{
    // Kelley's 27%: the top and bottom groups that best separate able from less able candidates.
    public const double ExtremeGroupShare = 0.27;

    public static PaperStatistics Analyse(IReadOnlyList<AnalysedQuestion> questions, IReadOnlyList<AnalysedSession> sessions)
    {
        var scores = sessions.Select(s => questions.Select(q => (double)ResultOf(s, q.Id).Score).ToArray()).ToArray();
        var totals = scores.Select(row => row.Sum()).ToArray();
        var groupSize = sessions.Count == 0 ? 0 : Math.Max(1, (int)Math.Round(sessions.Count * ExtremeGroupShare, MidpointRounding.AwayFromZero));
        // Ties in the total are broken by session id, so the groups do not depend on the order rows arrived in.
        var ranked = Enumerable.Range(0, sessions.Count).OrderByDescending(i => totals[i]).ThenBy(i => sessions[i].SessionId).ToArray();
        var top = ranked.Take(groupSize).ToArray();
        var bottom = ranked.Reverse().Take(groupSize).ToArray();

        var analysed = questions.Select((question, column) =>
        {
            var item = scores.Select(row => row[column]).ToArray();
            var rest = scores.Select((row, i) => totals[i] - row[column]).ToArray();
            var results = sessions.Select(s => ResultOf(s, question.Id)).ToArray();
            var seconds = results.Where(r => r.SecondsSpent is not null).Select(r => r.SecondsSpent!.Value).ToArray();
            return new QuestionStatistics(
                question.Id,
                sessions.Count == 0 || question.MaxPoints <= 0 ? null : item.Average() / (double)question.MaxPoints,
                Correlation(item, rest),
                seconds.Length == 0 ? null : seconds.Average(),
                sessions.Count == 0 ? 0 : results.Count(r => !r.Answered) / (double)sessions.Count,
                question.Options?.Select(option => new OptionStatistics(option, ChoseRate(top, option), ChoseRate(bottom, option))).ToList());

            double ChoseRate(int[] group, string option) =>
                group.Length == 0 ? 0 : group.Count(i => results[i].Chosen?.Contains(option, StringComparer.Ordinal) == true) / (double)group.Length;
        }).ToList();

        return new PaperStatistics(sessions.Count, groupSize, CronbachAlpha(scores, totals, questions.Count), analysed);
    }

    private static ItemResult ResultOf(AnalysedSession session, string questionId) =>
        session.Items.TryGetValue(questionId, out var result) ? result : new ItemResult(0, Answered: false);

    /// <summary>Pearson's r; with a 0/1 item this is the point-biserial, and against the rest score the corrected one.</summary>
    public static double? Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2)
            return null;
        var meanX = x.Average();
        var meanY = y.Average();
        double covariance = 0, varianceX = 0, varianceY = 0;
        for (var i = 0; i < x.Count; i++)
        {
            covariance += (x[i] - meanX) * (y[i] - meanY);
            varianceX += (x[i] - meanX) * (x[i] - meanX);
            varianceY += (y[i] - meanY) * (y[i] - meanY);
        }
        return varianceX == 0 || varianceY == 0 ? null : covariance / Math.Sqrt(varianceX * varianceY);
    }

    private static double? CronbachAlpha(double[][] scores, double[] totals, int k)
    {
        if (k < 2 || scores.Length < 2)
            return null;
        var totalVariance = Variance(totals);
        if (totalVariance == 0)
            return null;
        var itemVariances = Enumerable.Range(0, k).Sum(column => Variance(scores.Select(row => row[column]).ToArray()));
        return k / (k - 1.0) * (1 - itemVariances / totalVariance);
    }

    // Population variance: alpha is a ratio of variances, so the divisor cancels as long as it is the same throughout.
    private static double Variance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
