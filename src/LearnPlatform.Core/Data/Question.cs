namespace LearnPlatform.Core.Data;

/// <summary>One question of a paper, as authored (answer keys included). Stored in the paper's jsonb column.</summary>
public sealed record Question
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Prompt { get; init; }
    public decimal Points { get; init; }
    public IReadOnlyList<string>? Options { get; init; }
    public IReadOnlyList<string>? Correct { get; init; }
    public string? Rubric { get; init; }
    public string? Language { get; init; }
    public IReadOnlyList<CodeTest>? Tests { get; init; }

    /// <summary>code only: the author's reference solution, for the check route; never shown to candidates or guests.</summary>
    public string? Solution { get; init; }

    /// <summary>short_text only: let the AI grader judge an answer that matches no accepted answer exactly.</summary>
    public bool AiFallback { get; init; }

    /// <summary>spoken only: the longest recording the candidate's client lets them make, at most <see cref="SpokenAnswerLimits.MaxSeconds"/>.</summary>
    public int? MaxSeconds { get; init; }
}

public sealed record CodeTest
{
    public required string Call { get; init; }
    public required string Expected { get; init; }

    /// <summary>Hidden tests are used in grading and never shown to candidates.</summary>
    public bool Hidden { get; init; }
}

public static class QuestionKinds
{
    public const string SingleChoice = "single_choice";
    public const string MultipleChoice = "multiple_choice";
    public const string ShortText = "short_text";
    public const string Essay = "essay";
    public const string Code = "code";

    /// <summary>Answered by uploading audio; its transcript is the answer, graded like an essay.</summary>
    public const string Spoken = "spoken";

    public static readonly IReadOnlyList<string> All = [SingleChoice, MultipleChoice, ShortText, Essay, Code, Spoken];

    /// <summary>The kinds graded against a rubric by the AI grader.</summary>
    public static bool HasRubric(string kind) => kind is Essay or Spoken;

    public static bool IsChoice(string kind) => kind is SingleChoice or MultipleChoice;
}

/// <summary>What a spoken answer may be: its recording limit and its upload.</summary>
public static class SpokenAnswerLimits
{
    public const int MaxSeconds = 300;

    public const long MaxAudioBytes = 10 * 1024 * 1024;
}

/// <summary>The languages of code questions (the sandbox service runs them).</summary>
public static class CodeLanguages
{
    public const string Python = "python";
    public const string JavaScript = "javascript";

    public static readonly IReadOnlyList<string> All = [Python, JavaScript];
}
