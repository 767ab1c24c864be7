using System.Collections.Concurrent;
using System.Text.Json;

namespace LearnPlatform.Workflows;

/// <summary>A workflow: deterministic orchestration of steps. Side effects belong in the steps' activities.</summary>
public interface IWorkflow<in TInput>
{
    Task RunAsync(WorkflowContext context, TInput input);
}

/// <summary>
/// The workflow types a process knows. A worker claims only runs of the types in its registry, so processes
/// with different registries (for example during a rolling deployment) can share the tables.
/// </summary>
public sealed class WorkflowRegistry
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition> definitions = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Types => [.. definitions.Keys.Order(StringComparer.Ordinal)];

    public WorkflowRegistry Register<TInput>(string type, Func<WorkflowContext, TInput, Task> run, WorkflowOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(run);
        if (type.Length > 200)
        {
            throw new ArgumentException("workflow types are at most 200 characters", nameof(type));
        }
        options ??= WorkflowOptions.Default;
        options.Validate();

        var definition = new WorkflowDefinition(type, options, (context, inputJson) => run(context, DeserializeInput<TInput>(type, inputJson)));
        if (!definitions.TryAdd(type, definition))
        {
            throw new InvalidOperationException($"workflow type '{type}' is already registered");
        }
        return this;
    }

    public WorkflowRegistry Register<TInput>(string type, IWorkflow<TInput> workflow, WorkflowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return Register<TInput>(type, workflow.RunAsync, options);
    }

    internal WorkflowDefinition Get(string type) =>
        definitions.TryGetValue(type, out var definition)
            ? definition
            : throw new ArgumentException($"workflow type '{type}' is not registered", nameof(type));

    internal bool TryGet(string type, out WorkflowDefinition definition) => definitions.TryGetValue(type, out definition!);

    private static TInput DeserializeInput<TInput>(string type, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TInput>(json, WorkflowJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new WorkflowInputException($"the input does not deserialize as the input of '{type}'", e);
        }
    }
}

internal sealed record WorkflowDefinition(string Type, WorkflowOptions Options, Func<WorkflowContext, string, Task> Run);
