using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.Testing;

/// <summary>
/// Workflows the tests run both in the test process and in child processes. Every activity records its side effects
/// (start and finish, with the worker and attempt) in the test_effects table, so tests can count executions.
/// </summary>
public static class TestWorkflows
{
    /// <summary>Three steps; the second hangs on workers whose id starts with <see cref="ThreeStepsInput.HangOnWorkersStartingWith"/>.</summary>
    public const string ThreeSteps = "test.three-steps";

    /// <summary>One step that records itself around a short piece of work.</summary>
    public const string Record = "test.record";

    public const string EffectsTable = """
        CREATE TABLE test_effects (
            run_id uuid NOT NULL,
            step text NOT NULL,
            worker text NOT NULL,
            phase text NOT NULL,
            attempt int NOT NULL,
            at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        GRANT SELECT, INSERT ON test_effects TO learnplatform_app;
        """;

    public sealed record ThreeStepsInput(string? HangOnWorkersStartingWith);

    public sealed record RecordInput(int WorkMilliseconds);

    public static WorkflowRegistry Register(WorkflowRegistry registry, NpgsqlDataSource effects)
    {
        registry.Register<ThreeStepsInput>(ThreeSteps, async (workflow, input) =>
        {
            await workflow.StepAsync("one", (activity, ct) => RecordAsync(effects, activity, "finish", ct));
            await workflow.StepAsync("two", async (activity, ct) =>
            {
                await RecordAsync(effects, activity, "start", ct);
                if (input.HangOnWorkersStartingWith is { } prefix && activity.WorkerId.StartsWith(prefix, StringComparison.Ordinal))
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                await RecordAsync(effects, activity, "finish", ct);
            });
            await workflow.StepAsync("three", (activity, ct) => RecordAsync(effects, activity, "finish", ct));
        });

        registry.Register<RecordInput>(Record, async (workflow, input) =>
            await workflow.StepAsync("work", async (activity, ct) =>
            {
                await RecordAsync(effects, activity, "start", ct);
                await Task.Delay(input.WorkMilliseconds, ct);
                await RecordAsync(effects, activity, "finish", ct);
            }));
        return registry;
    }

    public static async Task RecordAsync(NpgsqlDataSource effects, ActivityContext activity, string phase, CancellationToken ct)
    {
        await using var command = effects.CreateCommand(
            "INSERT INTO test_effects (run_id, step, worker, phase, attempt) VALUES ($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter { Value = activity.RunId });
        command.Parameters.Add(new NpgsqlParameter { Value = activity.StepId });
        command.Parameters.Add(new NpgsqlParameter { Value = activity.WorkerId });
        command.Parameters.Add(new NpgsqlParameter { Value = phase });
        command.Parameters.Add(new NpgsqlParameter { Value = activity.Attempt });
        await command.ExecuteNonQueryAsync(ct);
    }
}
