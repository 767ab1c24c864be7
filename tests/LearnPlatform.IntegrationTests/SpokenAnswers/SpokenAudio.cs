using System.Diagnostics;
using System.Net.Http.Headers;

namespace LearnPlatform.IntegrationTests.SpokenAnswers;

/// <summary>Speech made at test time with espeak-ng (Debian package espeak-ng), and the audio route as a client calls it.</summary>
public static class SpokenAudio
{
    /// <summary>A WAV recording of <paramref name="text"/> spoken, from espeak-ng's standard output: no file is written.</summary>
    public static async Task<byte[]> SpeakAsync(string text)
    {
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--stdout", "-v", "en", text })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var audio = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(audio);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"espeak-ng failed: {await stderr}");
        return audio.ToArray();
    }

    /// <summary>A valid WAV header and <paramref name="seconds"/> of 16 kHz, 16-bit mono silence.</summary>
    public static byte[] Silence(int seconds)
    {
        const int byteRate = 16_000 * 2;
        var data = seconds * byteRate;
        using var wav = new MemoryStream();
        using (var w = new BinaryWriter(wav, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            w.Write("RIFF"u8);
            w.Write(36 + data);
            w.Write("WAVEfmt "u8);
            w.Write(16);
            w.Write((short)1);
            w.Write((short)1);
            w.Write(16_000);
            w.Write(byteRate);
            w.Write((short)2);
            w.Write((short)16);
            w.Write("data"u8);
            w.Write(data);
            w.Write(new byte[data]);
        }
        return wav.ToArray();
    }

    /// <summary>As a careful client uploads: with <c>Expect: 100-continue</c>, so a refusal (413 by Content-Length, 404, 415...) comes before the body is sent.</summary>
    public static Task<HttpResponseMessage> UploadAudioAsync(this HttpClient client, Guid sessionId, string questionId, byte[] audio, string contentType = "audio/wav")
    {
        var content = new ByteArrayContent(audio);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sessions/{sessionId}/responses/{questionId}/audio") { Content = content };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }
}
