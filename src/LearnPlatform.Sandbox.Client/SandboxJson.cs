using System.Text.Json;
using System.Text.Json.Serialization;

namespace LearnPlatform.Sandbox.Client;

/// <summary>The wire format both sides use: snake_case names, metadata generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(RunResult))]
public sealed partial class SandboxJson : JsonSerializerContext;
