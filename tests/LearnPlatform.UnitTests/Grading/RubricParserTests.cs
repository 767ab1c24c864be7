using LearnPlatform.Core.Grading;

namespace LearnPlatform.UnitTests.Grading;

public sealed class RubricParserTests
{
    private static (string, decimal)[] Parse(string? rubric, decimal points) =>
        RubricParser.Parse(rubric, points).Select(item => (item.Criterion, item.Max)).ToArray();

    [Fact]
    public void ContractExampleGivesThreeCriteria() =>
        Assert.Equal([("Mutability", 2m), ("use cases", 2m), ("syntax", 1m)], Parse("Mutability (2), use cases (2), syntax (1)", 5));

    [Theory]
    [InlineData("Accuracy (3 points); clarity (2 pts)")]
    [InlineData("- Accuracy (3 marks)\n- clarity (2)")]
    [InlineData("Accuracy(3) and clarity(2).")]
    public void MarkersWithUnitsListsAndConjunctionsAreUnderstood(string rubric) =>
        Assert.Equal([("Accuracy", 3m), ("clarity", 2m)], Parse(rubric, 5));

    [Fact]
    public void ParenthesesWithoutANumberStayInTheCriterion() =>
        Assert.Equal([("Examples (e.g. records)", 4m), ("style", 1m)], Parse("Examples (e.g. records) (4), style (1)", 5));

    [Theory]
    [InlineData("Explain clearly and correctly.")]
    [InlineData("")]
    [InlineData(null)]
    public void RubricWithoutMarkersIsOneOverallCriterionWorthThePoints(string? rubric) =>
        Assert.Equal([(RubricParser.OverallCriterion, 7m)], Parse(rubric, 7));

    [Fact]
    public void MaximaAreScaledInProportionWhenTheyDoNotAddUpToThePoints() =>
        Assert.Equal([("a", 4m), ("b", 4m), ("c", 2m)], Parse("a (2), b (2), c (1)", 10));

    [Fact]
    public void ScaledMaximaAlwaysAddUpToThePointsExactly()
    {
        var items = RubricParser.Parse("a (1), b (1), c (1)", 1);

        Assert.Equal([0.34m, 0.33m, 0.33m], items.Select(item => item.Max));
        Assert.Equal(1m, items.Sum(item => item.Max));
    }

    [Fact]
    public void DecimalMaximaAreRead() => Assert.Equal([("a", 1.5m), ("b", 0.5m)], Parse("a (1.5), b (0.5)", 2));

    [Fact]
    public void RepeatedCriteriaAreMadeDistinguishable() =>
        Assert.Equal([("Example", 1m), ("example #2", 1m)], Parse("Example (1), example (1)", 2));

    [Fact]
    public void AllZeroMaximaFallBackToOneOverallCriterion() =>
        Assert.Equal([(RubricParser.OverallCriterion, 3m)], Parse("a (0), b (0)", 3));
}
