using System.Text;

namespace LearnPlatform.Core.Grading.Text;

/// <summary>
/// How a short-text answer and an accepted answer are made comparable: Unicode NFKC (full-width letters,
/// ligatures and composed accents become their ordinary forms), lower case (invariant), every run of
/// whitespace becomes one space, and leading and trailing whitespace goes.
/// </summary>
public static class ShortTextNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = NfkcNormalizer.Normalize(text).ToLowerInvariant();

        var builder = new StringBuilder(folded.Length);
        var pendingSpace = false;
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
                builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
