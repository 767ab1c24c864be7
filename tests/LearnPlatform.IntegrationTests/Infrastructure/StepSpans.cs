using System.Collections.Concurrent;
using System.Diagnostics;
using WorkflowTelemetry = LearnPlatform.Workflows.WorkflowTelemetry;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// The workflow engine's step spans, recorded in this process while alive, as an OpenTelemetry SDK would receive
/// them. Every app of the test run is in this process, so a test finds its own step through its session's run.
/// </summary>
public sealed class StepSpans : IDisposable
{
    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly ActivityListener listener;

    public StepSpans()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkflowTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The spans of step <paramref name="stepId"/> in the grading run of <paramref name="session"/>.</summary>
    public async Task<IReadOnlyList<Activity>> GradingStepAsync(TestApp app, Guid session, string stepId)
    {
        var found = new List<Activity>();
        foreach (var span in stopped.Where(s => s.OperationName == "workflow.step" && Equals(s.GetTagItem("workflow.step.id"), stepId)))
        {
            if (span.GetTagItem("workflow.run.id") is Guid run &&
                await app.CountAsync("SELECT count(*) FROM workflow_runs WHERE id = @id AND workflow_key = @key", ("id", run), ("key", $"grade:{session}")) == 1)
            {
                found.Add(span);
            }
        }
        return found;
    }

    /// <summary>Every attribute value of every recorded span, as text.</summary>
    public IEnumerable<string> AllTagValues() => stopped.SelectMany(s => s.TagObjects).Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");

    public void Dispose() => listener.Dispose();
}
