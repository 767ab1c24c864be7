namespace LearnPlatform.Sandbox.Client;

/// <summary>The body of <c>POST /v1/runs</c>: a program and the tests to evaluate after it ran as a module.</summary>
public sealed record RunRequest(string? Language, string? Code, IReadOnlyList<RunTest>? Tests, RunLimits? Limits = null);

/// <summary>
/// <c>call</c> is evaluated in the program's namespace; the test passes when its value, rendered as the language
/// renders values (Python <c>repr</c>, JavaScript <c>JSON.stringify</c>), equals <c>expected</c> after trimming.
/// </summary>
public sealed record RunTest(string? Call, string? Expected);

/// <summary>Omitted values take the service's defaults (5000 ms, 256 MiB).</summary>
public sealed record RunLimits(int? TimeMs = null, int? MemoryMb = null);

public static class RunLanguages
{
    public const string Python = "python";
    public const string JavaScript = "javascript";

    public static readonly IReadOnlyList<string> All = [Python, JavaScript];
}
