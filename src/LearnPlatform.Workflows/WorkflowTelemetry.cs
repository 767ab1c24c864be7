using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LearnPlatform.Workflows;

/// <summary>
/// The engine's spans and metrics (System.Diagnostics; any OpenTelemetry SDK subscribes by <see cref="Name"/>).
/// Attributes are run ids, types, step ids, attempts and outcomes: never inputs, step results or errors' text.
/// </summary>
public static class WorkflowTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "LearnPlatform.Workflows";

    internal static readonly ActivitySource Source = new(Name);
    internal static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "learnplatform.workflow.run.duration", "s", "How long one execution of a run took, by workflow type and outcome");
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "learnplatform.workflow.retries", "{run}", "Runs scheduled for another attempt after a failure");
    internal static readonly Counter<long> Parked = Meter.CreateCounter<long>(
        "learnplatform.workflow.parked", "{run}", "Runs parked as failed (attempts exhausted or not retryable)");
    internal static readonly Counter<long> LeaseLosses = Meter.CreateCounter<long>(
        "learnplatform.workflow.lease_losses", "{run}", "Runs a worker stopped because it no longer held their lease");

    private static long queueDepth;
    private static double queueAgeSeconds;
    private static long parkedRuns;

    static WorkflowTelemetry()
    {
        Meter.CreateObservableGauge("learnplatform.workflow.queue.depth", () => Interlocked.Read(ref queueDepth), "{run}",
            "Runs due and not yet claimed (the same value from every worker: aggregate with max)");
        Meter.CreateObservableGauge("learnplatform.workflow.queue.age", () => Volatile.Read(ref queueAgeSeconds), "s",
            "How long the oldest due run has waited to be claimed");
        Meter.CreateObservableGauge("learnplatform.workflow.parked_runs", () => Interlocked.Read(ref parkedRuns), "{run}",
            "Runs parked as failed, waiting for an operator (runs failed|retry|cancel)");
    }

    internal static void SetQueue(long depth, double ageSeconds, long parked)
    {
        Interlocked.Exchange(ref queueDepth, depth);
        Volatile.Write(ref queueAgeSeconds, ageSeconds);
        Interlocked.Exchange(ref parkedRuns, parked);
    }

    internal static TagList Tags(string workflowType, string? outcome = null)
    {
        var tags = new TagList { { "workflow.type", workflowType } };
        if (outcome is not null)
        {
            tags.Add("workflow.outcome", outcome);
        }
        return tags;
    }
}
