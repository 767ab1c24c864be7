namespace LearnPlatform.Core.Data;

/// <summary>
/// A paper's working copy. Authors edit it while it is a draft; publishing freezes a copy as a
/// <see cref="PaperVersion"/>. Editing a published paper starts the next version's draft, while candidates
/// keep getting the published version until the next one is published.
/// </summary>
public sealed class Paper
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public PaperSettings Content { get; set; } = null!;

    /// <summary>The version this working copy is, or will be when published.</summary>
    public int Version { get; set; } = 1;

    public string Status { get; set; } = PaperStatus.Draft;
    public int? PublishedVersion { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An immutable published version of a paper; sessions point at one.</summary>
public sealed class PaperVersion
{
    public Guid PaperId { get; set; }
    public int Version { get; set; }
    public Guid TenantId { get; set; }
    public PaperSettings Content { get; set; } = null!;
    public required string PublishedBy { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>Everything an author writes: stored whole as jsonb, in the working copy and in each version.</summary>
public sealed record PaperSettings
{
    public required string Title { get; init; }
    public int TimeLimitSeconds { get; init; }
    public int MaxAttempts { get; init; } = 1;
    public bool GuestAccess { get; init; }
    public bool ShuffleQuestions { get; init; }
    public bool ShuffleOptions { get; init; }

    /// <summary><see cref="PaperModes.Exam"/> (the default, also for papers stored before modes existed) or <see cref="PaperModes.Practice"/>.</summary>
    public string Mode { get; init; } = PaperModes.Exam;

    /// <summary>Exam papers only: lets candidates ask the AI for hints during the exam. Practice papers always allow hints.</summary>
    public bool AllowHintsDuringExam { get; init; }

    /// <summary>Exam papers only: lets candidates run their code against the visible tests during the exam. Practice papers always allow it.</summary>
    public bool AllowCodeRuns { get; init; }

    public required IReadOnlyList<Question> Questions { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool HintsAllowed => Mode == PaperModes.Practice || AllowHintsDuringExam;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool CodeRunsAllowed => Mode == PaperModes.Practice || AllowCodeRuns;
}

public static class PaperModes
{
    public const string Exam = "exam";
    public const string Practice = "practice";

    public static readonly IReadOnlyList<string> All = [Exam, Practice];
}

public static class PaperStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
}
