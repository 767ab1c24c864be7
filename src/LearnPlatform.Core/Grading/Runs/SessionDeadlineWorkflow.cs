using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>
/// Submits a session the candidate left open at its deadline. It sleeps on a durable timer, so the submit happens
/// even if every process restarted in between; an extension moves the deadline, and the loop sleeps again.
/// </summary>
public sealed class SessionDeadlineWorkflow(DeadlineActivities activities) : IWorkflow<SessionDeadlineInput>
{
    // Each extension adds a round; a bound keeps a runaway loop from growing the run without end.
    private const int MaxRounds = 100;

    public async Task RunAsync(WorkflowContext context, SessionDeadlineInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        for (var round = 0; round < MaxRounds; round++)
        {
            var deadline = await context.StepAsync($"deadline:{round}", (activity, ct) => activities.OpenDeadlineAsync(activity, input.SessionId, ct));
            if (deadline is null)
            {
                return;
            }
            await context.SleepUntilAsync(deadline.Value);
            if (await context.StepAsync($"close:{round}", (activity, ct) => activities.CloseIfDueAsync(activity, input.SessionId, ct)))
            {
                return;
            }
        }
        throw new NonRetryableActivityException($"the deadline of session {input.SessionId} moved more than {MaxRounds} times");
    }
}
