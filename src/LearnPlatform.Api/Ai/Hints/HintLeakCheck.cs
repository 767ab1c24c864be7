using System.Text.RegularExpressions;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Ai.Hints;

/// <summary>
/// A second line behind the prompt: a hint that contains, as a whole word, one of the question's secrets the
/// candidate cannot see (short_text accepted answers, hidden test calls) is not used. Choice options are visible
/// to the candidate anyway, so naming one is not a leak by itself.
/// </summary>
public static class HintLeakCheck
{
    public static bool Reveals(Question question, string hint)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(hint);
        var secrets = question.Kind switch
        {
            QuestionKinds.ShortText => question.Correct ?? [],
            QuestionKinds.Code => question.Tests?.Where(t => t.Hidden).Select(t => t.Call).ToList() ?? [],
            _ => [],
        };
        return secrets
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .Any(secret => Regex.IsMatch(hint, $@"(?<![\p{{L}}\p{{N}}_]){Regex.Escape(secret)}(?![\p{{L}}\p{{N}}_])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }
}
