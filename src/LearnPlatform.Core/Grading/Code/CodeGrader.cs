using LearnPlatform.Core.Data;
using LearnPlatform.Core.Telemetry;
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
        var visibleRun = CodeTestRuns.VisibleRun(question, code);
        var hiddenRun = CodeTestRuns.HiddenRun(question, code);
        var visible = visibleRun is null ? null : await client.RunAsync(visibleRun, cancellationToken);
        var hidden = hiddenRun is null ? null : await client.RunAsync(hiddenRun, cancellationToken);
        AppTelemetry.TagCodeGrading(
            question.Language ?? CodeLanguages.Python,
            (visibleRun?.Tests?.Count ?? 0) + (hiddenRun?.Tests?.Count ?? 0),
            (visible?.Tests.Count(t => t.Passed) ?? 0) + (hidden?.Tests.Count(t => t.Passed) ?? 0));
        return CodeTestRuns.Grade(question, visible, hidden);
    }
}
