using LearnPlatform.Workflows;

namespace LearnPlatform.Core.Webhooks;

/// <param name="Finished">Delivered, or nothing more will be sent (the endpoint was deleted or disabled).</param>
/// <param name="Jitter">The random number of the backoff before the next attempt, drawn in the step so replays agree.</param>
public sealed record WebhookAttempt(bool Finished, DateTimeOffset AttemptedAt, double Jitter);

/// <summary>
/// One message to one endpoint: attempts until a 2xx, with exponential backoff and jitter on durable timers, for
/// <see cref="WebhookOptions.RetryWindow"/> after the event. Each attempt is a checkpointed step, so a crash or a
/// restart resumes at the next attempt, and the message keeps its webhook-id throughout.
/// </summary>
public sealed class WebhookDeliveryWorkflow(WebhookDeliveryActivities activities, WebhookOptions options) : IWorkflow<WebhookDeliveryInput>
{
    private readonly RetryPolicy backoff = new() { InitialInterval = options.RetryInitialInterval, MaximumInterval = options.RetryMaximumInterval };
    private readonly ActivityOptions attemptOptions = new() { StartToCloseTimeout = options.Timeout + TimeSpan.FromMinutes(1) };

    public async Task RunAsync(WorkflowContext context, WebhookDeliveryInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        for (var attempt = 1; ; attempt++)
        {
            var number = attempt;
            var result = await context.StepAsync($"attempt:{number}", (activity, ct) => activities.AttemptAsync(activity, input, number, ct), attemptOptions);
            if (result.Finished)
            {
                return;
            }
            var next = result.AttemptedAt + backoff.DelayAfter(number, result.Jitter);
            if (next > input.EnqueuedAt + options.RetryWindow)
            {
                return;
            }
            await context.SleepUntilAsync(next);
        }
    }
}
