using System.Globalization;
using System.Text;
using LearnPlatform.Core.Data;
using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.Core.Grading.Code;

/// <summary>
/// A code answer's runs in the sandbox and the grade they add up to. Pure: the same results always give the same grade.
/// <list type="bullet">
/// <item>The visible and the hidden tests run separately. The program runs in the process its tests are evaluated
/// in, so it could read the calls it was given; in a run of the visible tests there are no hidden calls to read,
/// and nothing of the hidden run (values, errors, output) is ever shown.</item>
/// <item>Score = points × passed / total, over every test, rounded to 2 decimals (halves away from zero).</item>
/// <item>Feedback lists each visible test as passed or failed, with its value or why it has none (an exception, a
/// limit); of the hidden tests only how many passed, and the limit that stopped their run, if one did.</item>
/// </list>
/// </summary>
public static class CodeTestRuns
{
    /// <summary>Longest call, expected value, value or error quoted in feedback; the run route shows them whole.</summary>
    public const int MaxQuotedChars = 200;

    public static RunRequest? VisibleRun(Question question, string code) => Run(question, code, hidden: false);

    public static RunRequest? HiddenRun(Question question, string code) => Run(question, code, hidden: true);

    /// <param name="visible">The result of <see cref="VisibleRun"/>, null when the question has no visible tests.</param>
    /// <param name="hidden">The result of <see cref="HiddenRun"/>, null when it has no hidden tests.</param>
    public static QuestionGrade Grade(Question question, RunResult? visible, RunResult? hidden)
    {
        ArgumentNullException.ThrowIfNull(question);
        var visibleTests = Tests(question, hidden: false);
        var hiddenTests = Tests(question, hidden: true);
        var total = visibleTests.Count + hiddenTests.Count;
        if (total == 0)
        {
            return new QuestionGrade(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Auto, GradeFeedback.NoAnswerKey, null, null);
        }
        var visibleResults = Results(visibleTests, visible);
        var hiddenPassed = Results(hiddenTests, hidden).Count(r => r.Passed);
        var passed = visibleResults.Count(r => r.Passed) + hiddenPassed;
        var score = Math.Round(question.Points * passed / total, 2, MidpointRounding.AwayFromZero);

        var feedback = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{passed} of {total} tests passed.");
        foreach (var result in visibleResults)
        {
            feedback.Append('\n').Append(Quote(result.Call)).Append(": ").Append(Describe(result));
        }
        if (hiddenTests.Count > 0)
        {
            feedback.Append(CultureInfo.InvariantCulture, $"\nHidden tests: {hiddenPassed} of {hiddenTests.Count} passed");
            feedback.Append(hidden is null ? "." : StoppedBy(hidden.Status) is { } reason ? $" ({reason})." : ".");
        }
        return new QuestionGrade(question.Id, score, question.Points, GradeStatus.Graded, GradeSource.Auto, feedback.ToString(), null, null);
    }

    private static RunRequest? Run(Question question, string code, bool hidden)
    {
        ArgumentNullException.ThrowIfNull(question);
        var tests = Tests(question, hidden);
        return tests.Count == 0 ? null : new RunRequest(question.Language ?? CodeLanguages.Python, code, [.. tests.Select(t => new RunTest(t.Call, t.Expected))]);
    }

    private static List<CodeTest> Tests(Question question, bool hidden) => [.. (question.Tests ?? []).Where(t => t.Hidden == hidden)];

    /// <summary>One result per test, in order; a test the sandbox gave no result for (it never should) failed.</summary>
    private static List<TestResult> Results(List<CodeTest> tests, RunResult? run) =>
        [.. tests.Select((test, i) => run?.Tests.ElementAtOrDefault(i) is { } result && result.Call == test.Call
            ? result
            : new TestResult(test.Call, test.Expected, null, false, "not run"))];

    private static string Describe(TestResult result) =>
        result.Passed ? "passed"
        : result.Actual is { } actual ? $"failed: expected {Quote(result.Expected)}, got {Quote(actual)}"
        : $"failed: {Quote(result.Error ?? "no value")}";

    /// <summary>The limit or failure that stopped a run early, in words that quote nothing of the run.</summary>
    private static string? StoppedBy(RunStatus status) => status switch
    {
        RunStatus.Timeout => "time limit exceeded",
        RunStatus.MemoryLimit => "memory limit exceeded",
        RunStatus.OutputLimit => "output limit exceeded",
        RunStatus.Error => "the program stopped with an error",
        _ => null,
    };

    private static string Quote(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxQuotedChars ? line : string.Concat(line.AsSpan(0, MaxQuotedChars), "…");
    }
}
