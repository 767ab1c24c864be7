namespace LearnPlatform.Core.Grading;

public sealed class EssayGraderOptions
{
    /// <summary>Further calls after an answer that is not valid JSON or fails our checks; then the grade goes to review.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>An AI grade less confident than this goes to review, with the AI's suggestion kept.</summary>
    public double ReviewBelowConfidence { get; set; } = 0.5;

    public int MaxRationaleLength { get; set; } = 2_000;
}
