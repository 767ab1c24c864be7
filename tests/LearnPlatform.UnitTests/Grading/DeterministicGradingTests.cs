using System.Text.Json;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using static LearnPlatform.UnitTests.Grading.Questions;

namespace LearnPlatform.UnitTests.Grading;

public sealed class DeterministicGradingTests
{
    private static QuestionGrade Grade(Question question, JsonElement? answer) =>
        DeterministicGrading.TryGrade(question, answer) ?? throw new InvalidOperationException("expected a rule-based grade");

    private static void AssertGraded(QuestionGrade grade, decimal score, Question question)
    {
        Assert.Equal((question.Id, score, question.Points, GradeStatus.Graded, GradeSource.Auto), (grade.QuestionId, grade.Score, grade.MaxScore, grade.Status, grade.Source));
    }

    [Fact]
    public void SingleChoiceWithTheCorrectOptionScoresFullPoints() => AssertGraded(Grade(SingleChoice(3), Options("4")), 3, SingleChoice(3));

    [Fact]
    public void SingleChoiceWithAWrongOptionScoresZero() => AssertGraded(Grade(SingleChoice(), Options("3")), 0, SingleChoice());

    [Fact]
    public void SingleChoiceNamingBothOptionsScoresZero() => AssertGraded(Grade(SingleChoice(), Options("4", "3")), 0, SingleChoice());

    [Fact]
    public void SingleChoiceWithTheCorrectOptionRepeatedStillScoresFullPoints() => AssertGraded(Grade(SingleChoice(), Options("4", "4")), 1, SingleChoice());

    [Fact]
    public void SingleChoiceWithAnOptionTheQuestionDoesNotHaveScoresZero() => AssertGraded(Grade(SingleChoice(), Options("four")), 0, SingleChoice());

    [Fact]
    public void OptionsMatchExactlyNotAfterNormalization() => AssertGraded(Grade(SingleChoice(), Options(" 4")), 0, SingleChoice());

    [Theory]
    [InlineData("\"4\"")]
    [InlineData("4")]
    [InlineData("[4]")]
    [InlineData("[\"4\", 3]")]
    [InlineData("[[\"4\"]]")]
    [InlineData("{\"answer\": \"4\"}")]
    [InlineData("true")]
    public void ChoiceAnswerOfTheWrongShapeScoresZero(string answer)
    {
        var grade = Grade(SingleChoice(), Json(answer));

        AssertGraded(grade, 0, SingleChoice());
        Assert.Equal(GradeFeedback.UnreadableAnswer, grade.Feedback);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData("[]")]
    public void ChoiceQuestionWithoutAnAnswerIsGradedZeroNotSentToReview(string? answer)
    {
        var grade = Grade(MultipleChoice(), answer is null ? null : Json(answer));

        AssertGraded(grade, 0, MultipleChoice());
        Assert.Equal(GradeFeedback.NoAnswer, grade.Feedback);
    }

    [Fact]
    public void UndefinedAnswerCountsAsMissing() => AssertGraded(Grade(SingleChoice(), default(JsonElement)), 0, SingleChoice());

    // k = 2 correct options ("2", "4") out of "1", "2", "4"; 2 points.
    [Theory]
    [InlineData(new[] { "2", "4" }, 2.0)]
    [InlineData(new[] { "4", "2" }, 2.0)]
    [InlineData(new[] { "2" }, 1.0)]
    [InlineData(new[] { "4" }, 1.0)]
    [InlineData(new[] { "2", "4", "1" }, 1.0)]
    [InlineData(new[] { "2", "1" }, 0.0)]
    [InlineData(new[] { "1" }, 0.0)]
    [InlineData(new[] { "2", "2" }, 1.0)]
    [InlineData(new[] { "2", "4", "5" }, 1.0)]
    [InlineData(new[] { "2", "4", "1", "5" }, 0.0)]
    public void MultipleChoiceFollowsThePartialCreditRule(string[] chosen, double expected) =>
        AssertGraded(Grade(MultipleChoice(), Options(chosen)), (decimal)expected, MultipleChoice());

    [Theory]
    [InlineData(1, 3, 1, 0, 0.33)]
    [InlineData(1, 3, 2, 0, 0.67)]
    [InlineData(2, 3, 1, 0, 0.67)]
    [InlineData(5, 3, 3, 1, 3.33)]
    [InlineData(1, 8, 1, 0, 0.13)] // 0.125 rounds half away from zero
    [InlineData(3, 2, 0, 2, 0)]
    [InlineData(3, 0, 0, 0, 0)]
    public void PartialCreditIsPointsTimesRightMinusWrongOverCorrectRoundedToCents(double points, int k, int right, int wrong, double expected) =>
        Assert.Equal((decimal)expected, DeterministicGrading.PartialCredit((decimal)points, k, right, wrong));

    [Fact]
    public void MultipleChoiceFeedbackSaysPartiallyCorrectWithoutNamingOptions() =>
        Assert.Equal(GradeFeedback.PartiallyCorrect, Grade(MultipleChoice(), Options("2")).Feedback);

    [Fact]
    public void ChoiceQuestionWithoutAnAnswerKeyGoesToReview()
    {
        var grade = Grade(SingleChoice() with { Correct = [] }, Options("4"));

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null), (grade.Status, grade.Score));
    }

    [Theory]
    [InlineData("def")]
    [InlineData("DEF")]
    [InlineData("  def \n")]
    [InlineData("ｄｅｆ")] // full-width letters
    [InlineData("Ｄｅｆ")]
    [InlineData("\u00a0def\u3000")] // no-break and ideographic spaces
    public void ShortTextMatchesAfterNormalization(string answer) => AssertGraded(Grade(ShortText(), Text(answer)), 1, ShortText());

    [Theory]
    [InlineData("de f")]
    [InlineData("define")]
    [InlineData("def;")]
    public void ShortTextThatDiffersAfterNormalizationScoresZero(string answer) => AssertGraded(Grade(ShortText(), Text(answer)), 0, ShortText());

    [Theory]
    [InlineData("hash   map")]
    [InlineData("Hash\tMap")]
    [InlineData("HASH\r\n map ")]
    public void InnerWhitespaceRunsCountAsOneSpace(string answer) =>
        AssertGraded(Grade(ShortText(false, "hash map"), Text(answer)), 1, ShortText(false, "hash map"));

    [Fact]
    public void ComposedAndDecomposedAccentsMatch() =>
        AssertGraded(Grade(ShortText(false, "caf\u00e9"), Text("CAFE\u0301")), 1, ShortText(false, "caf\u00e9"));

    [Fact]
    public void AnyAcceptedAnswerMatches() =>
        AssertGraded(Grade(ShortText(false, "def", "lambda"), Text("Lambda")), 1, ShortText(false, "def", "lambda"));

    [Fact]
    public void ShortTextWithoutAMatchNeedsTheAiWhenTheQuestionAllowsIt() =>
        Assert.Null(DeterministicGrading.TryGrade(ShortText(aiFallback: true), Text("the def keyword")));

    [Fact]
    public void ShortTextThatMatchesIsGradedByRuleEvenWithAiFallback() =>
        AssertGraded(Grade(ShortText(aiFallback: true), Text("DEF")), 1, ShortText(aiFallback: true));

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("null")]
    public void BlankShortTextScoresZeroEvenWithAiFallback(string answer)
    {
        var grade = Grade(ShortText(aiFallback: true), Json(answer));

        AssertGraded(grade, 0, ShortText(aiFallback: true));
        Assert.Equal(GradeFeedback.NoAnswer, grade.Feedback);
    }

    [Theory]
    [InlineData("[\"def\"]")]
    [InlineData("42")]
    [InlineData("{}")]
    public void TextAnswerOfTheWrongShapeScoresZero(string answer) => AssertGraded(Grade(ShortText(aiFallback: true), Json(answer)), 0, ShortText(aiFallback: true));

    [Fact]
    public void EssayWithAnAnswerNeedsTheAi() => Assert.Null(DeterministicGrading.TryGrade(Essay(), Text("Lists are mutable.")));

    [Fact]
    public void BlankEssayScoresZeroWithoutTheAi() => AssertGraded(Grade(Essay(), Text(" ")), 0, Essay());

    [Fact]
    public void EssayOfTheWrongShapeScoresZeroWithoutTheAi() => AssertGraded(Grade(Essay(), Options("a")), 0, Essay());

    [Fact]
    public void CodeWithAnAnswerIsNotGradedByRules() => Assert.Null(DeterministicGrading.TryGrade(Code(), Text("def add(a, b): return a + b")));
}
