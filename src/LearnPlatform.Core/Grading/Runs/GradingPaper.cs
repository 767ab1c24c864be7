using LearnPlatform.Core.Data;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>
/// The questions a session is graded against. The candidate answered the questions of the version they sat; a regrade
/// after the author fixed a key or rubric grades against a later version. Each question the candidate saw is graded
/// with the later version's question of the same id and kind (its key, rubric and points), or as they saw it when
/// the later version dropped or changed the kind of that question.
/// </summary>
public static class GradingPaper
{
    public static IReadOnlyList<Question> Questions(PaperSettings sat, PaperSettings gradeAgainst)
    {
        ArgumentNullException.ThrowIfNull(sat);
        ArgumentNullException.ThrowIfNull(gradeAgainst);
        var corrected = gradeAgainst.Questions.ToDictionary(q => q.Id, StringComparer.Ordinal);
        return [.. sat.Questions.Select(q => corrected.TryGetValue(q.Id, out var later) && later.Kind == q.Kind ? later : q)];
    }
}
