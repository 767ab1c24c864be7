using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>The questions settled by the rules, and the ones left for the AI and for the sandbox, in paper order.</summary>
/// <param name="ForCode">Null in plans checkpointed before code was graded by the sandbox.</param>
public sealed record GradingPlan(IReadOnlyList<QuestionGrade> Settled, IReadOnlyList<string> ForAi, IReadOnlyList<string>? ForCode = null);

/// <summary>
/// Grades a submitted session: the rules first (one step), then one checkpointed step per answer for the AI, so an
/// AI grading that succeeded is never paid for twice when the run resumes, and one per code answer for the sandbox,
/// so a recorded run is never repeated, then one step that saves the grades and the total. A run a regrade has
/// superseded stops at its first or last step without writing anything.
/// </summary>
public sealed class GradeSessionWorkflow(GradingActivities activities) : IWorkflow<GradeSessionInput>
{
    public async Task RunAsync(WorkflowContext context, GradeSessionInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var plan = await context.StepAsync("rules", (activity, ct) => activities.GradeByRulesAsync(activity, input, ct));
        if (plan is null)
        {
            return;
        }
        var byAi = new Dictionary<string, QuestionGrade>(StringComparer.Ordinal);
        foreach (var questionId in plan.ForAi)
        {
            byAi[questionId] = await context.StepAsync($"ai:{questionId}", (activity, ct) => activities.GradeWithAiAsync(activity, input, questionId, ct), activities.AiStepOptions);
        }
        var byCode = new Dictionary<string, QuestionGrade>(StringComparer.Ordinal);
        foreach (var questionId in plan.ForCode ?? [])
        {
            byCode[questionId] = await context.StepAsync($"code:{questionId}", (activity, ct) => activities.GradeCodeAsync(activity, input, questionId, ct), activities.CodeStepOptions);
        }
        var grades = plan.Settled.Concat(byAi.Values).Concat(byCode.Values).ToList();
        await context.StepAsync("save", (activity, ct) => activities.SaveAsync(activity, input, grades, ct));
    }
}
