namespace LearnPlatform.Core.Ai;

/// <summary>What one answer may put into a prompt, so that no answer, however long, makes a call cost more than this.</summary>
public static class AiInput
{
    /// <summary>Characters (Unicode scalar values) of a candidate's answer sent to the AI; the rest is not sent.</summary>
    public const int MaxAnswerCharacters = 20_000;

    /// <returns>The first <paramref name="maxCharacters"/> characters of <paramref name="text"/> (never half a surrogate pair), and whether that cut anything.</returns>
    public static (string Text, bool Truncated) Bound(string text, int maxCharacters = MaxAnswerCharacters)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxCharacters)
            return (text, false);
        var end = 0;
        var count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count == maxCharacters)
                break;
            end += rune.Utf16SequenceLength;
            count++;
        }
        return end == text.Length ? (text, false) : (text[..end], true);
    }
}
