namespace LearnPlatform.Api.SpokenAnswers;

/// <summary>
/// The audio a spoken answer may be uploaded as, each recognized by its first bytes, so a body is what its
/// Content-Type says before anything is sent on.
/// </summary>
public static class AudioFormats
{
    public const string Webm = "audio/webm";
    public const string Ogg = "audio/ogg";
    public const string Wav = "audio/wav";
    public const string Mpeg = "audio/mpeg";

    public static readonly IReadOnlyList<string> All = [Webm, Ogg, Wav, Mpeg];

    /// <summary>The one of <see cref="All"/> a Content-Type header names, parameters aside (<c>audio/webm;codecs=opus</c> is audio/webm); null when it names none.</summary>
    public static string? MediaType(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        return All.FirstOrDefault(type => string.Equals(type, mediaType, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the bytes start as <paramref name="mediaType"/> does.</summary>
    public static bool Matches(string mediaType, ReadOnlySpan<byte> audio) => mediaType switch
    {
        // EBML header (WebM is a Matroska profile).
        Webm => audio.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]),
        Ogg => audio.StartsWith("OggS"u8),
        Wav => audio.Length >= 12 && audio.StartsWith("RIFF"u8) && audio[8..12].SequenceEqual("WAVE"u8),
        // An ID3v2 tag, or an MPEG audio frame sync (11 bits set) with a valid layer.
        Mpeg => audio.StartsWith("ID3"u8) || (audio.Length >= 2 && audio[0] == 0xFF && (audio[1] & 0xE0) == 0xE0 && (audio[1] & 0x06) != 0),
        _ => false,
    };
}
