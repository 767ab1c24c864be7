using LearnPlatform.Core.Data;
using static LearnPlatform.IntegrationTests.Code.CodePapers;

namespace LearnPlatform.IntegrationTests.Code;

/// <summary>Code answers graded by the real sandbox after submit: every test counts, only visible ones are shown.</summary>
public sealed class CodeGradingTests(SandboxAppFixture fixture) : IClassFixture<SandboxAppFixture>
{
    private TestApp App => fixture.App;

    private static void AssertNothingHidden(string candidateView)
    {
        Assert.DoesNotContain("1000003", candidateView, StringComparison.Ordinal);
        Assert.DoesNotContain(HiddenExpected, candidateView, StringComparison.Ordinal);
        Assert.DoesNotContain("\"hidden\"", candidateView, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorrectPartlyCorrectAndWrongAnswersScorePointsTimesPassedOverTotal()
    {
        var graded = await Task.WhenAll(
            App.GradeAsync(Correct),
            App.GradeAsync("def add(a, b):\n    return abs(a) + b\n"),
            App.GradeAsync("def add(a, b):\n    return a * b\n"));

        var (correct, partly, wrong) = (graded[0].AuthorView, graded[1].AuthorView, graded[2].AuthorView);
        Assert.All(graded, g => Assert.Equal("graded", g.AuthorView.GetProperty("status").GetString()));
        Assert.Equal(2.00m, correct.ScoreOf("c1"));
        Assert.Equal(1.33m, partly.ScoreOf("c1"));
        Assert.Equal(0.00m, wrong.ScoreOf("c1"));
        Assert.Equal("3 of 3 tests passed.\nadd(2, 3): passed\nadd(-1, 1): passed\nHidden tests: 1 of 1 passed.", correct.FeedbackOf("c1"));
        Assert.Equal("2 of 3 tests passed.\nadd(2, 3): passed\nadd(-1, 1): failed: expected 0, got 2\nHidden tests: 1 of 1 passed.", partly.FeedbackOf("c1"));
        Assert.Equal("0 of 3 tests passed.\nadd(2, 3): failed: expected 5, got 6\nadd(-1, 1): failed: expected 0, got -1\nHidden tests: 0 of 1 passed.", wrong.FeedbackOf("c1"));
        Assert.Equal(1.33m, partly.GetProperty("score").GetDecimal());
        Assert.Equal("rules", partly.QuestionOf("c1").GetProperty("source").GetString());
        Assert.All(graded, g => AssertNothingHidden(g.CandidateView));
        Assert.DoesNotContain("5000015", graded[2].CandidateView, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyntaxErrorsAndExceptionsFailTheTestsWithTheReason()
    {
        var graded = await Task.WhenAll(
            App.GradeAsync("def add(a, b) return a + b\n"),
            App.GradeAsync("def add(a, b):\n    raise ValueError('no adding today')\n"));

        var syntax = graded[0].AuthorView;
        Assert.Equal("graded", syntax.GetProperty("status").GetString());
        Assert.Equal(0m, syntax.ScoreOf("c1"));
        Assert.Contains("add(2, 3): failed: the program failed: SyntaxError", syntax.FeedbackOf("c1"), StringComparison.Ordinal);
        Assert.EndsWith("Hidden tests: 0 of 1 passed (the program stopped with an error).", syntax.FeedbackOf("c1"), StringComparison.Ordinal);
        var exception = graded[1].AuthorView;
        Assert.Equal(0m, exception.ScoreOf("c1"));
        Assert.Equal(
            "0 of 3 tests passed.\nadd(2, 3): failed: ValueError: no adding today\nadd(-1, 1): failed: ValueError: no adding today\nHidden tests: 0 of 1 passed.",
            exception.FeedbackOf("c1"));
        Assert.All(graded, g => AssertNothingHidden(g.CandidateView));
    }

    [Fact]
    public async Task AnEndlessLoopStopsAtTheTimeLimitAndTheSessionIsStillGraded()
    {
        var (candidateView, result) = await App.GradeAsync("while True:\n    pass\n", seconds: 120);

        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(0m, result.ScoreOf("c1"));
        Assert.Equal(
            "0 of 3 tests passed.\nadd(2, 3): failed: time limit exceeded\nadd(-1, 1): failed: time limit exceeded\nHidden tests: 0 of 1 passed (time limit exceeded).",
            result.FeedbackOf("c1"));
        AssertNothingHidden(candidateView);
    }

    [Fact]
    public async Task AProgramThatReadsItsTestsFromMemoryNeverSeesAHiddenOne()
    {
        // The harness holds the calls in a list; a program can find it. The visible tests run without the hidden ones,
        // so what such a program returns (and what feedback shows) holds visible calls only.
        const string snoop = "import gc\ndef add(a, b):\n    return sorted({x for o in gc.get_objects() if type(o) is list for x in o if type(x) is str and x.startswith('add(')})\n";

        var (candidateView, result) = await App.GradeAsync(snoop);

        Assert.Equal(0m, result.ScoreOf("c1"));
        Assert.Contains("got ['add(-1, 1)', 'add(2, 3)']", result.FeedbackOf("c1"), StringComparison.Ordinal);
        AssertNothingHidden(candidateView);
        AssertNothingHidden(result.GetRawText());
    }

    [Fact]
    public async Task JavaScriptAnswersAreGradedWithJsonStringify()
    {
        var paper = Paper(PaperModes.Exam, false, Add(language: CodeLanguages.JavaScript) with
        {
            Tests =
            [
                new CodeTest { Call = "add(2, 3)", Expected = "5" },
                new CodeTest { Call = "add('a', 'b')", Expected = "\"ab\"" },
                new CodeTest { Call = "add([1], [2])", Expected = "\"12\"", Hidden = true },
            ],
        });

        var (_, result) = await App.GradeAsync("function add(a, b) { return a + b; }", paper);

        Assert.Equal("graded", result.GetProperty("status").GetString());
        Assert.Equal(2m, result.ScoreOf("c1"));
    }

    [Fact]
    public async Task TheCodeStepSpanCarriesLanguageAndTestCountsButNoCode()
    {
        using var spans = new StepSpans();
        var canary = $"CODE-CANARY-{Guid.NewGuid():N}";
        var (_, candidate, _, session) = await App.StartAsync(Paper());
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, "c1", $"# {canary}\ndef add(a, b):\n    return abs(a) + b\n")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        await candidate.WaitForResultAsync(session, seconds: 90);

        var step = Assert.Single(await spans.GradingStepAsync(App, session, "code:c1"));
        Assert.Equal("python", step.GetTagItem("learnplatform.code.language"));
        Assert.Equal(3, step.GetTagItem("learnplatform.code.tests"));
        Assert.Equal(2, step.GetTagItem("learnplatform.code.tests_passed"));
        Assert.DoesNotContain(spans.AllTagValues(), v => v.Contains(canary, StringComparison.Ordinal) || v.Contains("abs(a)", StringComparison.Ordinal) || v.Contains(HiddenCall, StringComparison.Ordinal));
    }
}
