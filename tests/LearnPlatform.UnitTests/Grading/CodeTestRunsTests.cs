using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using LearnPlatform.Core.Grading.Code;
using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.UnitTests.Grading;

public sealed class CodeTestRunsTests
{
    private static readonly Question Add = new()
    {
        Id = "c1", Kind = QuestionKinds.Code, Language = "python", Prompt = "Write add(a, b).", Points = 3,
        Tests =
        [
            new CodeTest { Call = "add(2, 3)", Expected = "5" },
            new CodeTest { Call = "add(-1, 1)", Expected = "0" },
            new CodeTest { Call = "add(SECRET_CALL, 1)", Expected = "SECRET_EXPECTED", Hidden = true },
        ],
    };

    private static RunResult Run(RunStatus status, params TestResult[] tests) => new(status, tests, "SECRET_STDOUT", "SECRET_STDERR", 12);

    private static TestResult Value(string call, string expected, string actual) => new(call, expected, actual, actual == expected);

    private static TestResult Failed(string call, string expected, string error) => new(call, expected, null, false, error);

    [Fact]
    public void VisibleAndHiddenTestsRunSeparately()
    {
        var visible = CodeTestRuns.VisibleRun(Add, "code")!;
        var hidden = CodeTestRuns.HiddenRun(Add, "code")!;

        Assert.Equal(["add(2, 3)", "add(-1, 1)"], visible.Tests!.Select(t => t.Call));
        Assert.Equal(["add(SECRET_CALL, 1)"], hidden.Tests!.Select(t => t.Call));
        Assert.Equal(("python", "code"), (visible.Language, visible.Code));
        Assert.Null(CodeTestRuns.HiddenRun(Add with { Tests = Add.Tests!.Take(2).ToList() }, "code"));
        Assert.Null(CodeTestRuns.VisibleRun(Add with { Tests = Add.Tests!.Skip(2).ToList() }, "code"));
    }

    [Theory]
    [InlineData(3, 3, 3.00)]
    [InlineData(2, 3, 2.00)]
    [InlineData(1, 3, 1.00)]
    [InlineData(0, 3, 0.00)]
    [InlineData(2, 1, 0.67)]
    [InlineData(1, 1, 0.33)]
    public void ScoreIsPointsTimesPassedOverTotalRoundedToTwoDecimals(int passed, double points, double expected)
    {
        var question = Add with { Points = (decimal)points };
        var results = new[] { ("add(2, 3)", "5"), ("add(-1, 1)", "0"), ("add(SECRET_CALL, 1)", "SECRET_EXPECTED") }
            .Select((t, i) => Value(t.Item1, t.Item2, i < passed ? t.Item2 : "wrong")).ToArray();

        var grade = CodeTestRuns.Grade(question, Run(RunStatus.Failed, results[..2]), Run(RunStatus.Failed, results[2..]));

        Assert.Equal((decimal)expected, grade.Score);
        Assert.Equal(GradeStatus.Graded, grade.Status);
        Assert.Equal(question.Points, grade.MaxScore);
    }

    [Fact]
    public void FeedbackShowsVisibleTestsAndOnlyTheCountOfHiddenOnes()
    {
        var grade = CodeTestRuns.Grade(
            Add,
            Run(RunStatus.Failed, Value("add(2, 3)", "5", "5"), Failed("add(-1, 1)", "0", "ValueError: bad\nsecond line")),
            Run(RunStatus.Failed, Failed("add(SECRET_CALL, 1)", "SECRET_EXPECTED", "NameError: name 'SECRET_CALL' is not defined")));

        Assert.Equal("1 of 3 tests passed.\nadd(2, 3): passed\nadd(-1, 1): failed: ValueError: bad second line\nHidden tests: 0 of 1 passed.", grade.Feedback);
        Assert.Equal(1.00m, grade.Score);
    }

    [Theory]
    [InlineData(RunStatus.Timeout, "time limit exceeded")]
    [InlineData(RunStatus.MemoryLimit, "memory limit exceeded")]
    [InlineData(RunStatus.OutputLimit, "output limit exceeded")]
    [InlineData(RunStatus.Error, "the program stopped with an error")]
    public void AHiddenRunStoppedByALimitSaysWhichWithoutQuotingIt(RunStatus status, string reason)
    {
        var grade = CodeTestRuns.Grade(
            Add,
            Run(RunStatus.Passed, Value("add(2, 3)", "5", "5"), Value("add(-1, 1)", "0", "0")),
            Run(status, Failed("add(SECRET_CALL, 1)", "SECRET_EXPECTED", "SECRET_ERROR")));

        Assert.EndsWith($"Hidden tests: 0 of 1 passed ({reason}).", grade.Feedback, StringComparison.Ordinal);
        Assert.Equal(2.00m, grade.Score);
        Assert.DoesNotContain("SECRET", grade.Feedback, StringComparison.Ordinal);
    }

    [Fact]
    public void LongValuesAreCutInFeedback()
    {
        var actual = new string('x', 5000);

        var grade = CodeTestRuns.Grade(Add with { Tests = Add.Tests!.Take(1).ToList() }, Run(RunStatus.Failed, Value("add(2, 3)", "5", actual)), null);

        Assert.Equal($"0 of 1 tests passed.\nadd(2, 3): failed: expected 5, got {new string('x', CodeTestRuns.MaxQuotedChars)}…", grade.Feedback);
    }

    [Fact]
    public void ATestTheSandboxGaveNoResultForHasFailed()
    {
        var grade = CodeTestRuns.Grade(Add, Run(RunStatus.Passed, Value("add(2, 3)", "5", "5")), null);

        Assert.Equal(1.00m, grade.Score);
        Assert.Equal("1 of 3 tests passed.\nadd(2, 3): passed\nadd(-1, 1): failed: not run\nHidden tests: 0 of 1 passed.", grade.Feedback);
    }

    [Fact]
    public void AQuestionWithoutTestsWaitsForReview()
    {
        var grade = CodeTestRuns.Grade(Add with { Tests = [] }, null, null);

        Assert.Equal(GradeStatus.NeedsReview, grade.Status);
        Assert.Null(grade.Score);
        Assert.Equal(GradeFeedback.NoAnswerKey, grade.Feedback);
    }

    [Fact]
    public void CodeAnswersAreLeftForTheSandboxOnlyWhenThereIsOneAndTheAnswerIsNotBlank()
    {
        var withSandbox = new SessionGrader(new EssayGrader(), new CodeGrader(() => throw new InvalidOperationException("no call expected")));
        var without = new SessionGrader(new EssayGrader());

        Assert.Null(withSandbox.GradeDeterministic(Add, Questions.Text("def add(a, b): return a + b")));
        Assert.True(SessionGrader.IsForSandbox(Add));
        Assert.Equal(GradeFeedback.NoAnswer, withSandbox.GradeDeterministic(Add, Questions.Text("  "))!.Feedback);
        Assert.Equal(0m, withSandbox.GradeDeterministic(Add, null)!.Score);
        Assert.Equal(GradeFeedback.UnreadableAnswer, withSandbox.GradeDeterministic(Add, Questions.Json("[1]"))!.Feedback);
        Assert.Equal(GradeFeedback.NoCodeSandbox, without.GradeDeterministic(Add, Questions.Text("def add(a, b): return a + b"))!.Feedback);
        Assert.False(SessionGrader.IsForSandbox(Questions.Essay()));
    }
}
