using System.Globalization;
using System.Text;

namespace LearnPlatform.Core.Grading.Text;

/// <summary>
/// Unicode Normalization Form KC (UAX #15) in managed code, from tables generated out of the Unicode data.
/// string.Normalize cannot be used: the build runs in globalization-invariant mode, where .NET leaves
/// non-ASCII text unnormalized, and a grade must not depend on the ICU version of the host that computed it.
/// </summary>
public static class NfkcNormalizer
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    private static readonly Lazy<Dictionary<int, int[]>> Decompositions = new(() => ParseDecompositions(NfkcTables.Decompositions));
    private static readonly Lazy<Dictionary<int, byte>> CombiningClasses = new(() => ParseCombiningClasses(NfkcTables.CombiningClasses));
    private static readonly Lazy<Dictionary<long, int>> Compositions = new(() => ParseCompositions(NfkcTables.Compositions));

    /// <summary>The Unicode version the tables were generated from.</summary>
    public static string UnicodeVersion => NfkcTables.UnicodeVersion;

    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsAscii(text))
            return text;

        var decomposed = Decompose(text);
        SortCombiningMarks(decomposed);
        var composed = Compose(decomposed);

        var builder = new StringBuilder(composed.Count);
        foreach (var codePoint in composed)
            builder.Append(char.ConvertFromUtf32(codePoint));
        return builder.ToString();
    }

    private static bool IsAscii(string text) => text.All(char.IsAscii);

    private static List<int> Decompose(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var codePoint = rune.Value;
            if (codePoint is >= HangulSBase and < HangulSBase + HangulSCount)
            {
                var index = codePoint - HangulSBase;
                result.Add(HangulLBase + index / HangulNCount);
                result.Add(HangulVBase + index % HangulNCount / HangulTCount);
                if (index % HangulTCount != 0)
                    result.Add(HangulTBase + index % HangulTCount);
            }
            else if (Decompositions.Value.TryGetValue(codePoint, out var mapping))
            {
                result.AddRange(mapping);
            }
            else
            {
                result.Add(codePoint);
            }
        }
        return result;
    }

    private static int CombiningClass(int codePoint) => CombiningClasses.Value.TryGetValue(codePoint, out var ccc) ? ccc : 0;

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    private static void SortCombiningMarks(List<int> codePoints)
    {
        for (var i = 1; i < codePoints.Count; i++)
        {
            var ccc = CombiningClass(codePoints[i]);
            if (ccc == 0)
                continue;
            var j = i;
            while (j > 0 && CombiningClass(codePoints[j - 1]) > ccc)
            {
                (codePoints[j - 1], codePoints[j]) = (codePoints[j], codePoints[j - 1]);
                j--;
            }
        }
    }

    private static List<int> Compose(List<int> codePoints)
    {
        var result = new List<int>(codePoints.Count);
        var starter = -1;

        // Combining class of the last character kept after the starter; -1 while nothing stands between.
        var lastClass = -1;
        foreach (var codePoint in codePoints)
        {
            var ccc = CombiningClass(codePoint);
            var blocked = lastClass != -1 && (lastClass == 0 || lastClass >= ccc);
            if (starter >= 0 && !blocked && TryCompose(result[starter], codePoint, out var composite))
            {
                result[starter] = composite;
                continue;
            }

            if (ccc == 0)
            {
                starter = result.Count;
                lastClass = -1;
            }
            else
            {
                lastClass = ccc;
            }
            result.Add(codePoint);
        }
        return result;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= HangulLBase and < HangulLBase + HangulLCount && second is >= HangulVBase and < HangulVBase + HangulVCount)
        {
            composite = HangulSBase + ((first - HangulLBase) * HangulVCount + second - HangulVBase) * HangulTCount;
            return true;
        }
        if (first is >= HangulSBase and < HangulSBase + HangulSCount && (first - HangulSBase) % HangulTCount == 0
            && second is > HangulTBase and < HangulTBase + HangulTCount)
        {
            composite = first + second - HangulTBase;
            return true;
        }
        return Compositions.Value.TryGetValue(PairKey(first, second), out composite);
    }

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;

    private static IEnumerable<string[]> Entries(string table, char separator) =>
        table.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(entry => entry.Split(separator));

    private static int Hex(string value) => int.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static Dictionary<int, int[]> ParseDecompositions(string table) =>
        Entries(table, '=').ToDictionary(parts => Hex(parts[0]), parts => parts[1].Split(' ').Select(Hex).ToArray());

    private static Dictionary<int, byte> ParseCombiningClasses(string table)
    {
        var classes = new Dictionary<int, byte>();
        foreach (var parts in Entries(table, ':'))
        {
            var range = parts[0].Split('-');
            var ccc = byte.Parse(parts[1], CultureInfo.InvariantCulture);
            for (var codePoint = Hex(range[0]); codePoint <= Hex(range[1]); codePoint++)
                classes[codePoint] = ccc;
        }
        return classes;
    }

    private static Dictionary<long, int> ParseCompositions(string table) =>
        Entries(table, '=').ToDictionary(
            parts =>
            {
                var pair = parts[0].Split(' ');
                return PairKey(Hex(pair[0]), Hex(pair[1]));
            },
            parts => Hex(parts[1]));
}
