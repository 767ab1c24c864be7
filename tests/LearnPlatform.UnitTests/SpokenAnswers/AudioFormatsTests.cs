using System.Text;
using LearnPlatform.Api.SpokenAnswers;

namespace LearnPlatform.UnitTests.SpokenAnswers;

public sealed class AudioFormatsTests
{
    private static readonly byte[] Wav = [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WAVEfmt "u8];
    private static readonly byte[] Ogg = [.. "OggS"u8, 0, 2];
    private static readonly byte[] Webm = [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86];
    private static readonly byte[] Id3 = [.. "ID3"u8, 4, 0];
    private static readonly byte[] Mp3Frame = [0xFF, 0xFB, 0x90, 0x64];

    public static TheoryData<string, byte[]> EachFormatWithItsOwnBytes => new()
    {
        { AudioFormats.Wav, Wav },
        { AudioFormats.Ogg, Ogg },
        { AudioFormats.Webm, Webm },
        { AudioFormats.Mpeg, Id3 },
        { AudioFormats.Mpeg, Mp3Frame },
    };

    [Theory]
    [MemberData(nameof(EachFormatWithItsOwnBytes))]
    public void EachFormatIsRecognizedByItsFirstBytesAndNoOtherIs(string mediaType, byte[] audio)
    {
        Assert.True(AudioFormats.Matches(mediaType, audio));
        Assert.All(AudioFormats.All.Where(other => other != mediaType), other => Assert.False(AudioFormats.Matches(other, audio)));
    }

    [Theory]
    [InlineData(AudioFormats.Wav, "RIFF\0\0\0\0AVI ")]
    [InlineData(AudioFormats.Wav, "RIFF")]
    [InlineData(AudioFormats.Ogg, "Ogg")]
    [InlineData(AudioFormats.Mpeg, "<html>")]
    [InlineData(AudioFormats.Webm, "")]
    public void BytesOfAnotherKindOrTooFewDoNotMatch(string mediaType, string start)
    {
        Assert.False(AudioFormats.Matches(mediaType, Encoding.ASCII.GetBytes(start)));
    }

    [Fact]
    public void AnMpegFrameSyncNeedsAValidLayer()
    {
        Assert.False(AudioFormats.Matches(AudioFormats.Mpeg, [0xFF, 0xE0]));
    }

    [Theory]
    [InlineData("audio/webm;codecs=opus", AudioFormats.Webm)]
    [InlineData("Audio/WAV", AudioFormats.Wav)]
    [InlineData(" audio/ogg ; codecs=vorbis", AudioFormats.Ogg)]
    [InlineData("audio/mpeg", AudioFormats.Mpeg)]
    [InlineData("audio/mp4", null)]
    [InlineData("application/octet-stream", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void OnlyTheFourAudioTypesAreAccepted(string? contentType, string? expected)
    {
        Assert.Equal(expected, AudioFormats.MediaType(contentType));
    }
}
