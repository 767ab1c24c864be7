using System.Text.Json.Serialization;

namespace LearnPlatform.Sandbox.Client;

/// <summary>
/// The answer of <c>POST /v1/runs</c>. <c>stdout</c> and <c>stderr</c> are the program's own output, each cut to
/// <see cref="RunResult.MaxOutputChars"/> characters.
/// </summary>
public sealed record RunResult(RunStatus Status, IReadOnlyList<TestResult> Tests, string Stdout, string Stderr, long DurationMs)
{
    public const int MaxOutputChars = 64 * 1024;
}

/// <summary><c>error</c> says why a test failed without a value: an exception (type and message) or a limit.</summary>
public sealed record TestResult(
    string Call,
    string Expected,
    string? Actual,
    bool Passed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>Every test passed.</summary>
    [JsonStringEnumMemberName("passed")] Passed,

    /// <summary>The program ran; at least one test failed (a wrong value or an exception in its call).</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>The program itself failed (syntax error, exception at module level, exit before the tests).</summary>
    [JsonStringEnumMemberName("error")] Error,

    /// <summary>The wall or CPU time limit stopped it.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,

    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,

    [JsonStringEnumMemberName("output_limit")] OutputLimit,
}
