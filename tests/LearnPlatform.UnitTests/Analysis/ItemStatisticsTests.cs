using LearnPlatform.Api.Analysis;

namespace LearnPlatform.UnitTests.Analysis;

/// <summary>Figures computed by hand from small tables (the working is in the comments).</summary>
public sealed class ItemStatisticsTests
{
    private static readonly AnalysedQuestion[] ThreeOnePointQuestions = [new("q1", 1, null), new("q2", 1, null), new("q3", 1, null)];

    // Scores (q1, q2, q3) of five sessions; totals 3, 2, 1, 1, 0.
    private static readonly AnalysedSession[] FiveSessions =
    [
        Session(1, ("q1", 1), ("q2", 1), ("q3", 1)),
        Session(2, ("q1", 1), ("q2", 1), ("q3", 0)),
        Session(3, ("q1", 1), ("q2", 0), ("q3", 0)),
        Session(4, ("q1", 0), ("q2", 1), ("q3", 0)),
        Session(5, ("q1", 0), ("q2", 0), ("q3", 0)),
    ];

    [Fact]
    public void FacilityIsTheMeanScoreOverTheMaximum()
    {
        var statistics = ItemStatistics.Analyse(ThreeOnePointQuestions, FiveSessions);

        Assert.Equal([0.6, 0.6, 0.2], statistics.Questions.Select(q => q.Facility!.Value).Select(f => Math.Round(f, 6)));
    }

    [Fact]
    public void DiscriminationIsTheCorrelationWithTheRestOfThePaper()
    {
        var statistics = ItemStatistics.Analyse(ThreeOnePointQuestions, FiveSessions);

        // q1 = (1,1,1,0,0), rest = (2,1,0,1,0): covariance sum 0.6, squares 1.2 and 2.8, r = 0.6 / sqrt(3.36).
        Assert.Equal(0.327327, statistics.Questions[0].Discrimination!.Value, 6);
        // q3 = (1,0,0,0,0), rest = (2,2,1,1,0): covariance sum 0.8, squares 0.8 and 2.8, r = 0.8 / sqrt(2.24).
        Assert.Equal(0.534522, statistics.Questions[2].Discrimination!.Value, 6);
    }

    [Fact]
    public void CronbachAlphaComparesItemVariancesWithTheTotalsVariance()
    {
        var statistics = ItemStatistics.Analyse(ThreeOnePointQuestions, FiveSessions);

        // Item variances 0.24 + 0.24 + 0.16 = 0.64; totals (3,2,1,1,0) variance 1.04; alpha = 3/2 * (1 - 0.64/1.04).
        Assert.Equal(0.576923, statistics.CronbachAlpha!.Value, 6);
    }

    [Fact]
    public void OptionsAreCountedInTheTopAndBottom27PercentWithTiesBrokenBySessionId()
    {
        AnalysedQuestion[] questions = [new("q1", 1, ["a", "b", "c"]), new("q2", 2, null)];
        // Totals 3, 3, 2, 2, 1, 1, 1, 0, 0, 0: the top three are sessions 1-3, the bottom three 10, 9, 8.
        AnalysedSession[] sessions =
        [
            Chose(1, "a", 1, 2), Chose(2, "a", 1, 2), Chose(3, "b", 0, 2), Chose(4, "a", 1, 1), Chose(5, "c", 0, 1),
            Chose(6, "a", 1, 0), Chose(7, "b", 0, 1), Chose(8, "b", 0, 0), Chose(9, null, 0, 0), Chose(10, "c", 0, 0),
        ];

        var statistics = ItemStatistics.Analyse(questions, sessions);

        Assert.Equal(3, statistics.GroupSize);
        var options = statistics.Questions[0].Options!;
        Assert.Equal([(2 / 3.0, 0.0), (1 / 3.0, 1 / 3.0), (0.0, 1 / 3.0)], options.Select(o => (o.TopGroupRate, o.BottomGroupRate)));
        Assert.Equal(0.1, statistics.Questions[0].OmissionRate);
        Assert.Equal(0.4, statistics.Questions[0].Facility);
        Assert.Equal(0.45, statistics.Questions[1].Facility);
        Assert.Null(statistics.Questions[1].Options);
    }

    [Fact]
    public void MeanTimeCountsOnlySessionsThatViewedTheQuestion()
    {
        AnalysedSession[] sessions =
        [
            new(Id(1), new Dictionary<string, ItemResult> { ["q1"] = new(1, true, SecondsSpent: 30) }),
            new(Id(2), new Dictionary<string, ItemResult> { ["q1"] = new(0, true, SecondsSpent: 90) }),
            new(Id(3), new Dictionary<string, ItemResult> { ["q1"] = new(0, true) }),
        ];

        var statistics = ItemStatistics.Analyse([new("q1", 1, null)], sessions);

        Assert.Equal(60, statistics.Questions[0].MeanSecondsSpent);
        Assert.Null(ItemStatistics.Analyse([new("q1", 1, null)], [Session(1, ("q1", 1))]).Questions[0].MeanSecondsSpent);
    }

    [Fact]
    public void FiguresASampleCannotDefineAreNull()
    {
        var none = ItemStatistics.Analyse(ThreeOnePointQuestions, []);
        Assert.Equal(0, none.Sessions);
        Assert.Null(none.CronbachAlpha);
        Assert.All(none.Questions, q => Assert.Null(q.Facility));
        Assert.All(none.Questions, q => Assert.Null(q.Discrimination));

        // Everyone scored the same: no variance to correlate or to split.
        var flat = ItemStatistics.Analyse(ThreeOnePointQuestions, [Session(1, ("q1", 1)), Session(2, ("q1", 1))]);
        Assert.Null(flat.CronbachAlpha);
        Assert.Null(flat.Questions[0].Discrimination);

        Assert.Null(ItemStatistics.Analyse([new("q1", 1, null)], FiveSessions).CronbachAlpha);
    }

    [Fact]
    public void AMissingResultCountsAsOmittedWithNoScore()
    {
        var statistics = ItemStatistics.Analyse(ThreeOnePointQuestions, [Session(1, ("q1", 1)), Session(2)]);

        Assert.Equal(0.5, statistics.Questions[0].Facility);
        Assert.Equal(1.0, statistics.Questions[1].OmissionRate);
    }

    private static Guid Id(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:D12}");

    private static AnalysedSession Session(int n, params (string Question, decimal Score)[] scores) =>
        new(Id(n), scores.ToDictionary(s => s.Question, s => new ItemResult(s.Score, Answered: true)));

    private static AnalysedSession Chose(int n, string? option, decimal q1, decimal q2) =>
        new(Id(n), new Dictionary<string, ItemResult>
        {
            ["q1"] = new(q1, option is not null, option is null ? null : [option]),
            ["q2"] = new(q2, Answered: true),
        });
}
