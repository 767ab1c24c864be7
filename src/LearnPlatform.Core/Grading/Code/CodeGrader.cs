using LearnPlatform.Core.Data;
using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.Core.Grading.Code;

/// <summary>
/// Grades a code answer by running it in the sandbox service: the visible tests, then the hidden ones
/// (<see cref="CodeTestRuns"/>). A program that fails, loops or floods is graded (its tests fail with the reason);
/// a sandbox that cannot be reached or is busy throws <see cref="SandboxUnavailableException"/> (retry later), one
/// that refuses the run throws <see cref="SandboxRequestException"/>.
/// </summary>
/// <param name="sandbox">A client per grading: typed HTTP clients are short-lived.</param>
public sealed class CodeGrader(Func<SandboxClient> sandbox)
{
    public async Task<QuestionGrade> GradeAsync(Question question, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        var client = sandbox();
        var visible = CodeTestRuns.VisibleRun(question, code) is { } visibleRun ? await client.RunAsync(visibleRun, cancellationToken) : null;
        var hidden = CodeTestRuns.HiddenRun(question, code) is { } hiddenRun ? await client.RunAsync(hiddenRun, cancellationToken) : null;
        return CodeTestRuns.Grade(question, visible, hidden);
    }
}
