namespace LearnPlatform.Core.Grading;

/// <summary>One criterion of a rubric and the most it can score.</summary>
public sealed record RubricItem(string Criterion, decimal Max);
