namespace LearnPlatform.Api.CodeRuns;

/// <summary>Configuration section <c>CodeRuns</c>.</summary>
public sealed class CodeRunOptions
{
    public const string Section = "CodeRuns";

    /// <summary>Runs a candidate may make in one session (<c>CodeRuns__SessionCap</c>).</summary>
    public int SessionCap { get; set; } = 100;
}
