using LearnPlatform.Core.Data;
using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.Api.CodeRuns;

/// <summary>A run as the API shows it: each test's value (or why it has none), the program's output and its time.</summary>
public sealed record CodeRunResponse(RunStatus Status, IReadOnlyList<CodeTestOutcome> Tests, string Stdout, string Stderr, long DurationMs);

/// <param name="Error">Why the test has no value: an exception (type and message) or a limit.</param>
/// <param name="Hidden">Only in an author's check, which runs the hidden tests too; candidates never get hidden tests.</param>
public sealed record CodeTestOutcome(string Call, string Expected, string? Actual, bool Passed, string? Error, bool? Hidden);

public static class CodeRunViews
{
    /// <summary>A candidate's run: the request held the visible tests only.</summary>
    public static CodeRunResponse ToCandidateView(this RunResult result) =>
        new(result.Status, [.. result.Tests.Select(t => new CodeTestOutcome(t.Call, t.Expected, t.Actual, t.Passed, t.Error, null))], result.Stdout, result.Stderr, result.DurationMs);

    /// <summary>An author's check of every test, in the question's order, each marked hidden or not.</summary>
    public static CodeRunResponse ToAuthorView(this RunResult result, IReadOnlyList<CodeTest> tests) =>
        new(result.Status, [.. result.Tests.Select((t, i) => new CodeTestOutcome(t.Call, t.Expected, t.Actual, t.Passed, t.Error, tests[i].Hidden))], result.Stdout, result.Stderr, result.DurationMs);
}
