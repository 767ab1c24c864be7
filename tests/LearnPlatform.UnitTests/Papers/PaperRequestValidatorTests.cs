using LearnPlatform.Api.Http;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;

namespace LearnPlatform.UnitTests.Papers;

public sealed class PaperRequestValidatorTests
{
    private readonly PaperRequestValidator validator = new(Microsoft.Extensions.Options.Options.Create(new LearnPlatform.Api.Identity.GuestTokenOptions()));

    public PaperRequestValidatorTests() => ValidationFilter.UseSnakeCasePropertyNames();

    private static QuestionRequest Essay(string id) => new(id, QuestionKinds.Essay, "Why?", null, null, "Reasons", null, null, 1, null);

    private static QuestionRequest Choice(string kind, string[] options, string[] correct) => new("c", kind, "Pick", options, correct, null, null, null, 1, null);

    private static PaperRequest Paper(params QuestionRequest[] questions) => new("Title", 600, null, null, null, null, questions);

    private string[] FailedFields(PaperRequest request) =>
        validator.Validate(request).Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void PaperWithOneQuestionOfEachKindIsValid()
    {
        var request = Paper(
            Choice(QuestionKinds.SingleChoice, ["a", "b"], ["a"]) with { Id = "q1" },
            Choice(QuestionKinds.MultipleChoice, ["a", "b", "c"], ["a", "c"]) with { Id = "q2" },
            new QuestionRequest("q3", QuestionKinds.ShortText, "Say it", null, ["it"], null, null, null, 0.5m, true),
            Essay("q4"),
            new QuestionRequest("q5", QuestionKinds.Code, "f", null, null, null, "python", [new CodeTestRequest("f()", "1", true)], 1000, false));

        Assert.Empty(FailedFields(request));
    }

    [Fact]
    public void CodeQuestionsTakeAReferenceSolutionAndPythonOrJavaScript()
    {
        var python = new QuestionRequest("c", QuestionKinds.Code, "f", null, null, null, "python", [new CodeTestRequest("f()", "1", true)], 1, null, "def f():\n    return 1\n");

        Assert.Empty(FailedFields(Paper(python)));
        Assert.Empty(FailedFields(Paper(python with { Language = "javascript", Solution = null })));
        Assert.Equal(["questions[0].language"], FailedFields(Paper(python with { Language = "ruby" })));
        Assert.Equal(["questions[0].solution"], FailedFields(Paper(python with { Solution = new string('x', 100_001) })));
        Assert.Equal(["questions[0].solution"], FailedFields(Paper(Essay("e") with { Solution = "42" })));
    }

    [Fact]
    public void SpokenQuestionsNeedARubricAndARecordingLimitOfAtMostFiveMinutes()
    {
        var spoken = new QuestionRequest("s", QuestionKinds.Spoken, "Explain aloud.", null, null, "Clarity (2)", null, null, 2, null, MaxSeconds: 120);

        Assert.Empty(FailedFields(Paper(spoken)));
        Assert.Empty(FailedFields(Paper(spoken with { MaxSeconds = 300 })));
        Assert.Equal(["questions[0].max_seconds"], FailedFields(Paper(spoken with { MaxSeconds = 301 })));
        Assert.Equal(["questions[0].max_seconds"], FailedFields(Paper(spoken with { MaxSeconds = 0 })));
        Assert.Equal(["questions[0].max_seconds"], FailedFields(Paper(spoken with { MaxSeconds = null })));
        Assert.Equal(["questions[0].rubric"], FailedFields(Paper(spoken with { Rubric = null })));
        Assert.Equal(["questions[0].correct"], FailedFields(Paper(spoken with { Correct = ["x"] })));
        Assert.Equal(["questions[0].max_seconds"], FailedFields(Paper(Essay("e") with { MaxSeconds = 60 })));
    }

    [Fact]
    public void EachRepeatedIdIsReportedWhereItRepeats()
    {
        Assert.Equal(["questions[1].id", "questions[3].id"], FailedFields(Paper(Essay("a"), Essay("a"), Essay("b"), Essay("a"))));
    }

    [Fact]
    public void FailuresInLaterQuestionsAreNotHiddenByAnEarlierOne()
    {
        var request = Paper(Essay("ok"), Essay("bad id"), Essay("x") with { Points = 0 }, Essay("y") with { Rubric = null });

        Assert.Equal(["questions[1].id", "questions[2].points", "questions[3].rubric"], FailedFields(request));
    }

    [Fact]
    public void EveryBadOptionIsReported()
    {
        var request = Paper(Choice(QuestionKinds.MultipleChoice, ["", "b", new string('x', 1001)], ["b"]));

        Assert.Equal(["questions[0].options[0]", "questions[0].options[2]"], FailedFields(request));
    }

    [Fact]
    public void TooManyQuestionsIsOneErrorNotOnePerQuestion()
    {
        var request = Paper(Enumerable.Range(0, 500).Select(i => Essay("same") with { Points = 0 }).ToArray());

        Assert.Equal(["questions"], FailedFields(request));
    }

    [Fact]
    public void UnknownKindReportsOnlyTheKind()
    {
        var request = Paper(Choice("true_false", ["a", "b"], ["a"]) with { Rubric = "r", Language = "python" });

        Assert.Equal(["questions[0].kind"], FailedFields(request));
    }

    [Fact]
    public void SingleChoiceNeedsExactlyOneCorrectOptionButMultipleChoiceMayHaveMore()
    {
        Assert.Equal(["questions[0].correct"], FailedFields(Paper(Choice(QuestionKinds.SingleChoice, ["a", "b"], ["a", "b"]))));
        Assert.Empty(FailedFields(Paper(Choice(QuestionKinds.MultipleChoice, ["a", "b"], ["a", "b"]))));
    }

    [Fact]
    public void MissingOptionsAreReportedOnceNotAgainAtCorrect()
    {
        Assert.Equal(["questions[0].options"], FailedFields(Paper(new QuestionRequest("c", QuestionKinds.SingleChoice, "Pick", null, ["a"], null, null, null, 1, null))));
    }

    [Fact]
    public void FieldsOfAnotherKindAreEachNamed()
    {
        var request = Paper(Essay("e") with { Options = ["a", "b"], Correct = ["a"], Language = "python", Tests = [new CodeTestRequest("f()", "1", null)], AiFallback = true });

        Assert.Equal(
            ["questions[0].ai_fallback", "questions[0].correct", "questions[0].language", "questions[0].options", "questions[0].tests"],
            FailedFields(request));
    }

    [Fact]
    public void NullElementsAreReportedNotThrown()
    {
        var code = new QuestionRequest("c", QuestionKinds.Code, "f", null, null, null, "python", [null!, new CodeTestRequest(null, "1", null)], 1, null);

        Assert.Equal(["questions[0]", "questions[1].tests[0]", "questions[1].tests[1].call"], FailedFields(Paper(null!, code)));
    }

    [Theory]
    [InlineData(0.01, true)]
    [InlineData(1000, true)]
    [InlineData(999.99, true)]
    [InlineData(0, false)]
    [InlineData(1000.01, false)]
    [InlineData(1.005, false)]
    public void PointsArePositiveAtMostAThousandWithTwoDecimals(double points, bool valid)
    {
        var request = Paper(Essay("e") with { Points = (decimal)points });

        Assert.Equal(valid, FailedFields(request).Length == 0);
    }

    [Fact]
    public void OmittedOptionalSettingsTakeTheirDefaults()
    {
        var settings = Paper(Essay("e")).ToSettings();

        Assert.Equal((1, false, false, false), (settings.MaxAttempts, settings.GuestAccess, settings.ShuffleQuestions, settings.ShuffleOptions));
        Assert.False(settings.Questions[0].AiFallback);
    }
}
