using LearnPlatform.Core.Grading.Text;

namespace LearnPlatform.UnitTests.Grading;

public sealed class NormalizationTests
{
    // Expected values from Unicode's own NFKC (Python's unicodedata); the tables were checked against every code point.
    [Theory]
    [InlineData("ＡＢＣ１２３", "ABC123")]
    [InlineData("ﬁﬂ", "fifl")]
    [InlineData("e\u0301", "\u00e9")]
    [InlineData("\u1e9b\u0323", "\u1e69")]
    [InlineData("x\u00b2", "x2")]
    [InlineData("\u2460", "1")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]
    [InlineData("\uac00\u11a8", "\uac01")]
    [InlineData("\u212b", "\u00c5")]
    [InlineData("a\u0323\u0302", "\u1ead")]
    [InlineData("a\u0302\u0323", "\u1ead")]
    [InlineData("\ufb2c", "\u05e9\u05bc\u05c1")]
    [InlineData("\U0001d400", "A")]
    [InlineData("plain ascii", "plain ascii")]
    public void NfkcMatchesTheUnicodeReference(string input, string expected) => Assert.Equal(expected, NfkcNormalizer.Normalize(input));

    [Theory]
    [InlineData("  Hash\u3000ＭＡＰ\t\n", "hash map")]
    [InlineData("", "")]
    [InlineData(" \t ", "")]
    [InlineData("Straße", "straße")]
    [InlineData("ΣΊΣΥΦΟΣ", "σίσυφοσ")]
    public void ShortTextNormalizationFoldsWidthCaseAndWhitespace(string input, string expected) =>
        Assert.Equal(expected, ShortTextNormalizer.Normalize(input));
}
