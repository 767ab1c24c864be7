using System.Text.Json;

namespace LearnPlatform.Workflows;

/// <summary>How inputs and step results are stored in jsonb.</summary>
public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
