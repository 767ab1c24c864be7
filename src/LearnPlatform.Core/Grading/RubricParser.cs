using System.Globalization;
using System.Text.RegularExpressions;

namespace LearnPlatform.Core.Grading;

/// <summary>
/// Turns an author's rubric such as "Mutability (2), use cases (2), syntax (1)" into criteria with maxima.
/// A criterion is the text before a "(n)" marker ("(2 points)", "(1.5 marks)" work too), without the separators
/// around it. Without any marker the rubric is one criterion, "overall", worth the question's points.
/// When the maxima do not add up to the question's points they are scaled in proportion, rounded to 2 decimals,
/// and the largest criterion takes the rounding difference, so the criteria always add up to the points exactly.
/// </summary>
public static partial class RubricParser
{
    public const string OverallCriterion = "overall";

    public static IReadOnlyList<RubricItem> Parse(string? rubric, decimal points)
    {
        var items = ParseMarkers(rubric ?? "");
        if (items.Count == 0 || items.Sum(item => item.Max) <= 0)
            return [new RubricItem(OverallCriterion, points)];
        return Scale(Distinct(items), points);
    }

    private static List<RubricItem> ParseMarkers(string rubric)
    {
        var items = new List<RubricItem>();
        var criterionStart = 0;
        foreach (Match marker in PointsMarker().Matches(rubric))
        {
            var criterion = rubric[criterionStart..marker.Index].Trim(Separators);
            if (criterion.StartsWith("and ", StringComparison.OrdinalIgnoreCase))
                criterion = criterion[4..].TrimStart();
            var max = decimal.Parse(marker.Groups["max"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            items.Add(new RubricItem(criterion.Length > 0 ? criterion : $"criterion {items.Count + 1}", max));
            criterionStart = marker.Index + marker.Length;
        }
        return items;
    }

    // Matching is by criterion text, so two criteria with the same text would be indistinguishable in the AI's answer.
    private static List<RubricItem> Distinct(List<RubricItem> items)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<RubricItem>(items.Count);
        foreach (var item in items)
        {
            var criterion = item.Criterion;
            for (var n = 2; !seen.Add(criterion); n++)
                criterion = $"{item.Criterion} #{n}";
            result.Add(item with { Criterion = criterion });
        }
        return result;
    }

    private static List<RubricItem> Scale(List<RubricItem> items, decimal points)
    {
        var total = items.Sum(item => item.Max);
        if (total == points)
            return items;

        var scaled = items.Select(item => item with { Max = Math.Round(item.Max * points / total, 2, MidpointRounding.AwayFromZero) }).ToList();
        var difference = points - scaled.Sum(item => item.Max);
        var largest = scaled.IndexOf(scaled.MaxBy(item => item.Max)!);
        scaled[largest] = scaled[largest] with { Max = scaled[largest].Max + difference };
        return scaled;
    }

    private static readonly char[] Separators = [',', ';', '.', ':', '-', '*', '•', '\n', '\r', '\t', ' '];

    [GeneratedRegex(@"\(\s*(?<max>\d{1,6}(?:\.\d{1,4})?)\s*(?:pts?|points?|marks?)?\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PointsMarker();
}
