using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>The questions settled without the AI, and the ones left for it, in paper order.</summary>
public sealed record GradingPlan(IReadOnlyList<QuestionGrade> Settled, IReadOnlyList<string> ForAi);

/// <summary>
/// Grades a submitted session: the rules first (one step), then one checkpointed step per answer for the AI, so an
/// AI grading that succeeded is never paid for twice when the run resumes, then one step that saves the grades and
/// the total. A run a regrade has superseded stops at its first or last step without writing anything.
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
        var grades = plan.Settled.Concat(byAi.Values).ToList();
        await context.StepAsync("save", (activity, ct) => activities.SaveAsync(activity, input, grades, ct));
    }
}
