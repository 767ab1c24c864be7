using System.Text.Json;
using LearnPlatform.Api.SpokenAnswers;

namespace LearnPlatform.UnitTests.SpokenAnswers;

public sealed class TranscriptionPromptTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void ATranscriptFollowingTheSchemaIsRead()
    {
        var transcript = TranscriptionPrompt.Read(Json("""{"transcript": "  Lists are mutable. ", "language": "en", "confidence": 0.93}"""));

        Assert.Equal(new Transcript("Lists are mutable.", "en", 0.93), transcript);
    }

    [Theory]
    [InlineData("""{"language": "en", "confidence": 0.9}""")]
    [InlineData("""{"transcript": 5, "language": "en", "confidence": 0.9}""")]
    [InlineData("""{"transcript": "x", "confidence": 0.9}""")]
    [InlineData("""{"transcript": "x", "language": "", "confidence": 0.9}""")]
    [InlineData("""{"transcript": "x", "language": "en", "confidence": "high"}""")]
    [InlineData("""{"transcript": "x", "language": "en", "confidence": 1.5}""")]
    [InlineData("""{"transcript": "x", "language": "en", "confidence": -0.1}""")]
    [InlineData("""["x", "en", 0.9]""")]
    public void OutputOutsideTheSchemaOrItsBoundsIsRefused(string output)
    {
        Assert.Null(TranscriptionPrompt.Read(Json(output)));
    }

    [Fact]
    public void ATranscriptLongerThanAnyTextAnswerIsRefused()
    {
        var output = JsonSerializer.Serialize(new { transcript = new string('a', 100_001), language = "en", confidence = 0.9 });

        Assert.Null(TranscriptionPrompt.Read(Json(output)));
    }

    [Fact]
    public void TheAudioTravelsInlineBesideFixedInstructions()
    {
        var request = TranscriptionPrompt.Build(AudioFormats.Wav, new byte[] { 1, 2, 3 });

        Assert.Equal(TranscriptionPrompt.SystemInstruction, request.SystemInstruction);
        Assert.Equal(AudioFormats.Wav, request.Audio!.MimeType);
        Assert.Equal([1, 2, 3], request.Audio.Data.ToArray());
        Assert.Equal(["transcript", "language", "confidence"], request.ResponseSchema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }
}
