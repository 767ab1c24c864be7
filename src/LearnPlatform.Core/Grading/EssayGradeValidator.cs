using System.Text.Json;

namespace LearnPlatform.Core.Grading;

/// <summary>The AI's grade once it has passed our checks: one item per rubric criterion, in rubric order.</summary>
public sealed record AiEssayGrade(IReadOnlyList<RubricItemScore> Items, decimal Total, string Rationale, double Confidence);

/// <summary>Either a grade or what was wrong with the AI's JSON. The problem names only rubric criteria and numbers, never text the AI made up.</summary>
public sealed record EssayGradeValidation(AiEssayGrade? Grade, string? Problem)
{
    public bool IsValid => Grade is not null;
}

/// <summary>
/// Checks the AI's JSON again after Gemini's schema enforcement, which guarantees neither ranges nor criteria:
/// every rubric criterion exactly once (by text, ignoring case), 0 ≤ score ≤ the rubric's max for it, total equal to
/// the sum (±0.01) and at most the question's points, confidence in 0..1, a bounded rationale. The maxima that count
/// are the rubric's, not the ones the AI echoes back.
/// </summary>
public static class EssayGradeValidator
{
    private const decimal TotalTolerance = 0.01m;

    public static EssayGradeValidation Validate(JsonElement output, IReadOnlyList<RubricItem> rubric, decimal points, int maxRationaleLength)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        if (output.ValueKind != JsonValueKind.Object)
            return Invalid("the answer is not a JSON object");
        if (!output.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            return Invalid("items is missing or not a list");
        if (!TryNumber(output, "total", out var total))
            return Invalid("total is missing or not a number");
        if (!output.TryGetProperty("rationale", out var rationaleElement) || rationaleElement.ValueKind != JsonValueKind.String)
            return Invalid("rationale is missing or not a string");
        if (!output.TryGetProperty("confidence", out var confidenceElement) || confidenceElement.ValueKind != JsonValueKind.Number
            || !confidenceElement.TryGetDouble(out var confidence))
            return Invalid("confidence is missing or not a number");

        var rationale = rationaleElement.GetString()!;
        if (rationale.Length > maxRationaleLength)
            return Invalid($"rationale is longer than {maxRationaleLength} characters");
        if (confidence is < 0 or > 1 || double.IsNaN(confidence))
            return Invalid("confidence is outside 0..1");

        var scores = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("criterion", out var criterionElement)
                || criterionElement.ValueKind != JsonValueKind.String || !TryNumber(item, "score", out var score) || !TryNumber(item, "max", out _))
                return Invalid("an item lacks a criterion string, a score number or a max number");

            var criterion = criterionElement.GetString()!.Trim();
            var rubricItem = rubric.FirstOrDefault(r => string.Equals(r.Criterion.Trim(), criterion, StringComparison.OrdinalIgnoreCase));
            if (rubricItem is null)
                return Invalid("an item names a criterion that is not in the rubric");
            if (!scores.TryAdd(rubricItem.Criterion, score))
                return Invalid($"criterion \"{rubricItem.Criterion}\" is scored more than once");
            if (score < 0 || score > rubricItem.Max)
                return Invalid($"criterion \"{rubricItem.Criterion}\" has score {score} outside 0..{rubricItem.Max}");
        }

        var missing = rubric.FirstOrDefault(r => !scores.ContainsKey(r.Criterion));
        if (missing is not null)
            return Invalid($"criterion \"{missing.Criterion}\" is missing");

        var sum = scores.Values.Sum();
        if (Math.Abs(total - sum) > TotalTolerance)
            return Invalid($"total {total} is not the sum of the item scores ({sum})");
        if (total > points)
            return Invalid($"total {total} is more than the question's {points} points");

        var graded = rubric.Select(r => new RubricItemScore(r.Criterion, Math.Round(scores[r.Criterion], 2, MidpointRounding.AwayFromZero), r.Max)).ToList();
        return new EssayGradeValidation(new AiEssayGrade(graded, graded.Sum(item => item.Score), rationale, confidence), null);
    }

    private static bool TryNumber(JsonElement element, string name, out decimal value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetDecimal(out value);
    }

    private static EssayGradeValidation Invalid(string problem) => new(null, problem);
}
