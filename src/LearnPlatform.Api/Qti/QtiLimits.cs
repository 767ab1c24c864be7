namespace LearnPlatform.Api.Qti;

/// <summary>What an uploaded package may hold. The body itself is limited by Limits:MaxRequestBodyBytes (413 above).</summary>
public static class QtiLimits
{
    public const int MaxEntries = 1000;

    /// <summary>The uncompressed size of all entries together, as declared and as actually read.</summary>
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>One XML file (manifest, test, item), uncompressed.</summary>
    public const int MaxXmlBytes = 2 * 1024 * 1024;

    /// <summary>Above this size, an entry may not expand more than <see cref="MaxCompressionRatio"/> times (zip bombs).</summary>
    public const long RatioCheckedAbove = 64 * 1024;

    public const int MaxCompressionRatio = 100;
}
