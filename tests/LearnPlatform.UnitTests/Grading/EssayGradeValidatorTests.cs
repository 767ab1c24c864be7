using System.Text.Json;
using LearnPlatform.Core.Grading;

namespace LearnPlatform.UnitTests.Grading;

public sealed class EssayGradeValidatorTests
{
    private static readonly IReadOnlyList<RubricItem> Rubric = RubricParser.Parse("Mutability (2), use cases (2), syntax (1)", 5);

    private static EssayGradeValidation Validate(string json, int maxRationale = 2_000) =>
        EssayGradeValidator.Validate(JsonDocument.Parse(json).RootElement, Rubric, 5, maxRationale);

    private const string Items = """[{"criterion":"Mutability","score":2,"max":2},{"criterion":"use cases","score":1.5,"max":2},{"criterion":"syntax","score":0.5,"max":1}]""";

    [Fact]
    public void ValidGradeIsAccepted()
    {
        var validation = Validate($$"""{"items":{{Items}},"total":4,"rationale":"Good.","confidence":0.75}""");

        Assert.True(validation.IsValid, validation.Problem);
        Assert.Equal((4m, "Good.", 0.75), (validation.Grade!.Total, validation.Grade.Rationale, validation.Grade.Confidence));
    }

    [Fact]
    public void TotalWithinACentOfTheSumIsAcceptedAndTheSumCounts() =>
        Assert.Equal(4m, Validate($$"""{"items":{{Items}},"total":4.01,"rationale":"","confidence":1}""").Grade!.Total);

    [Fact]
    public void TheRubricsMaxCountsNotTheOneTheAiEchoes()
    {
        var validation = Validate("""{"items":[{"criterion":"Mutability","score":2,"max":7},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1}],"total":5,"rationale":"","confidence":1}""");

        Assert.Equal(2m, validation.Grade!.Items[0].Max);
    }

    [Theory]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"total":4,"rationale":"","confidence":1}""", "items")]
    [InlineData("""{"items":{},"total":4,"rationale":"","confidence":1}""", "items")]
    [InlineData("""{"items":ITEMS,"total":"4","rationale":"","confidence":1}""", "total")]
    [InlineData("""{"items":ITEMS,"total":4,"confidence":1}""", "rationale")]
    [InlineData("""{"items":ITEMS,"total":4,"rationale":"","confidence":"high"}""", "confidence")]
    [InlineData("""{"items":ITEMS,"total":4,"rationale":"","confidence":1.2}""", "outside 0..1")]
    [InlineData("""{"items":ITEMS,"total":4,"rationale":"","confidence":-0.1}""", "outside 0..1")]
    [InlineData("""{"items":ITEMS,"total":4.5,"rationale":"","confidence":1}""", "not the sum")]
    [InlineData("""{"items":ITEMS,"total":3.98,"rationale":"","confidence":1}""", "not the sum")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":2,"max":2},{"criterion":"use cases","score":2,"max":2}],"total":4,"rationale":"","confidence":1}""", "\"syntax\" is missing")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":2,"max":2},{"criterion":"mutability","score":0,"max":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1}],"total":5,"rationale":"","confidence":1}""", "more than once")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":2,"max":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1},{"criterion":"bonus","score":1,"max":1}],"total":6,"rationale":"","confidence":1}""", "not in the rubric")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":2.5,"max":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":0,"max":1}],"total":4.5,"rationale":"","confidence":1}""", "outside 0..2")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":-1,"max":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1}],"total":2,"rationale":"","confidence":1}""", "outside 0..2")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":"2","max":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1}],"total":5,"rationale":"","confidence":1}""", "lacks")]
    [InlineData("""{"items":[{"criterion":"Mutability","score":2},{"criterion":"use cases","score":2,"max":2},{"criterion":"syntax","score":1,"max":1}],"total":5,"rationale":"","confidence":1}""", "lacks")]
    [InlineData("""{"items":[{"criterion":1,"score":2,"max":2}],"total":2,"rationale":"","confidence":1}""", "lacks")]
    public void InvalidGradesAreRejectedWithTheReason(string json, string problem)
    {
        var validation = Validate(json.Replace("ITEMS", Items, StringComparison.Ordinal));

        Assert.False(validation.IsValid);
        Assert.Contains(problem, validation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RationaleOverTheLimitIsRejected()
    {
        var rationale = new string('x', 2_001);

        Assert.Contains("rationale", Validate($$"""{"items":{{Items}},"total":4,"rationale":"{{rationale}}","confidence":1}""").Problem, StringComparison.Ordinal);
        Assert.True(Validate($$"""{"items":{{Items}},"total":4,"rationale":"{{rationale[1..]}}","confidence":1}""").IsValid);
    }

    [Fact]
    public void TotalAboveTheQuestionsPointsIsRejectedEvenWhenItIsTheSum()
    {
        var rubric = new[] { new RubricItem("a", 3), new RubricItem("b", 3) };

        var validation = EssayGradeValidator.Validate(
            JsonDocument.Parse("""{"items":[{"criterion":"a","score":3,"max":3},{"criterion":"b","score":3,"max":3}],"total":6,"rationale":"","confidence":1}""").RootElement, rubric, 5, 100);

        Assert.Contains("more than the question's 5 points", validation.Problem, StringComparison.Ordinal);
    }
}
