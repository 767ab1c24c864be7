using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using LearnPlatform.IntegrationTests.Ai;
using LearnPlatform.IntegrationTests.Grading;

namespace LearnPlatform.IntegrationTests.SpokenAnswers;

/// <summary>Spoken answers: audio in, transcribed by Gemini through the call guard, the transcript saved and graded like an essay, the audio kept nowhere.</summary>
public sealed class SpokenAnswerTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private const string Said = "Lists are mutable, tuples are not.";

    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    internal static PaperSettings SpokenPaper() => new()
    {
        Title = "Speaking",
        TimeLimitSeconds = 1800,
        Questions =
        [
            new Question { Id = "s1", Kind = QuestionKinds.Spoken, Prompt = "Explain list vs tuple aloud.", Rubric = "mutability (2), use cases (2), syntax (1)", Points = 5, MaxSeconds = 60 },
            new Question { Id = "t1", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
        ],
    };

    private async Task<(HttpClient Candidate, Guid Session, Guid Tenant)> SessionAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, SpokenPaper());
        return (candidate, session, tenant);
    }

    [Fact]
    public async Task ASpokenAnswerIsTranscribedSavedAndGradedLikeAnEssay()
    {
        var audio = await SpokenAudio.SpeakAsync(Said);
        var (candidate, session, tenant) = await SessionAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        Gemini.Script(GeminiReplies.Transcribed(Said, "en", 0.93), AiCallPathTests.GoodGrade());

        using var upload = await candidate.UploadAudioAsync(session, "s1", audio);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var saved = await upload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Said, saved.GetProperty("answer").GetString());
        Assert.Equal("en", saved.GetProperty("language").GetString());
        Assert.Equal(0.93, saved.GetProperty("confidence").GetDouble());
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
        var sent = Assert.Single(Gemini.Requests).InlineAudio!.Value;
        Assert.Equal("audio/wav", sent.MimeType);
        Assert.Equal(audio, sent.Data);
        Assert.Equal(1, await App.CounterAsync($"session:{session}", "transcriptions"));

        var view = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{session}");
        Assert.Equal(Said, view.GetProperty("responses").EnumerateArray().Single(r => r.GetProperty("question_id").GetString() == "s1").GetProperty("answer").GetString());
        var question = view.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("id").GetString() == "s1");
        Assert.Equal(60, question.GetProperty("max_seconds").GetInt32());
        Assert.False(question.TryGetProperty("rubric", out _));

        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        var result = await author.WaitForResultAsync(session);
        Assert.Equal(4m, result.ScoreOf("s1"));
        var grading = Gemini.Requests[1];
        Assert.Equal(Said, grading.DecodedAnswer);
        Assert.Contains(EssayPrompt.SpokenNote, grading.UserText, StringComparison.Ordinal);
        Assert.Null(grading.InlineAudio);
        Assert.Empty(Gemini.Violations);
    }

    [Fact]
    public async Task TheAudioIsInNoRowNoFileAndNoLogLine()
    {
        var since = DateTime.UtcNow.AddSeconds(-1);
        var audio = await SpokenAudio.SpeakAsync("The audio of this answer must be dropped once it is transcribed.");
        var (candidate, session, _) = await SessionAsync();
        Gemini.Script(GeminiReplies.Transcribed("A-UNIQUE-TRANSCRIPT-7f3e"));

        Assert.Equal(HttpStatusCode.OK, (await candidate.UploadAudioAsync(session, "s1", audio)).StatusCode);

        var (raw, hex, base64) = Fingerprint(audio);
        // The scan finds what is stored: the transcript is.
        Assert.Contains("public.session_responses", await App.TablesContainingAsync("A-UNIQUE-TRANSCRIPT-7f3e"));
        Assert.Empty(await App.TablesContainingAsync(hex));
        Assert.Empty(await App.TablesContainingAsync(base64));
        Assert.Empty(FilesHolding(raw, System.Text.Encoding.ASCII.GetBytes(base64), since));
        Assert.DoesNotContain(base64, App.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(hex, App.Logs.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnUploadAboveTheDefaultBodyLimitIsAcceptedUpTo10MiB()
    {
        var (candidate, session, _) = await SessionAsync();
        Gemini.Script(GeminiReplies.Transcribed("", "und", 0.99));

        using var response = await candidate.UploadAudioAsync(session, "s1", SpokenAudio.Silence(40)); // 1.28 MB

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answer").GetString());
    }

    [Fact]
    public async Task AudioOver10MiBIs413AndReachesNoOne()
    {
        var (candidate, session, _) = await SessionAsync();
        var audio = SpokenAudio.Silence(1);
        Array.Resize(ref audio, 10 * 1024 * 1024 + 1);

        using var response = await candidate.UploadAudioAsync(session, "s1", audio);

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("10485760 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Gemini.Requests);
    }

    [Theory]
    [InlineData("audio/mp4")]
    [InlineData("application/octet-stream")]
    [InlineData("audio/ogg")]
    [InlineData("audio/webm;codecs=opus")]
    [InlineData("audio/mpeg")]
    public async Task AContentTypeTheBytesDoNotBearOutIs415(string contentType)
    {
        var (candidate, session, _) = await SessionAsync();

        using var response = await candidate.UploadAudioAsync(session, "s1", SpokenAudio.Silence(1), contentType);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Empty(Gemini.Requests);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
    }

    [Fact]
    public async Task BadUploadsAreRefusedBeforeGeminiIsCalled()
    {
        var (candidate, session, tenant) = await SessionAsync();
        var (other, otherSession) = await App.SessionAsync(tenant, SpokenPaper());
        var audio = SpokenAudio.Silence(1);

        await (await candidate.UploadAudioAsync(session, "s1", [])).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await candidate.UploadAudioAsync(session, "t1", audio)).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await candidate.UploadAudioAsync(session, "nope", audio)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await candidate.UploadAudioAsync(otherSession, "s1", audio)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await App.Client.UploadAudioAsync(session, "s1", audio)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var typed = await (await candidate.SaveAsync(session, "s1", "typed instead of spoken")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(typed.GetProperty("errors").TryGetProperty("answer", out _));
        Assert.Equal(HttpStatusCode.Accepted, (await other.SubmitAsync(otherSession)).StatusCode);
        await (await other.UploadAudioAsync(otherSession, "s1", audio)).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task ATranscriptOutsideTheSchemaIsRetriedOnceThen502AndNothingIsSaved()
    {
        var (candidate, session, _) = await SessionAsync();
        Gemini.Script(GeminiReplies.Grade(new { text = Said }), GeminiReplies.Grade(new { transcript = Said, language = "en", confidence = 7 }));

        using var response = await candidate.UploadAudioAsync(session, "s1", SpokenAudio.Silence(1));

        await response.AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal(2, Gemini.Requests.Count);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
    }

    /// <summary>64 bytes from inside the recording, unlike any run of silence, as raw bytes, hex, and base64 as it would appear in the whole file's base64.</summary>
    private static (byte[] Raw, string Hex, string Base64) Fingerprint(byte[] audio)
    {
        for (var offset = audio.Length / 2 / 3 * 3; offset + 64 <= audio.Length; offset += 3)
        {
            var chunk = audio.AsSpan(offset, 64);
            if (chunk.ToArray().Distinct().Count() >= 24)
            {
                var raw = chunk[..48].ToArray();
                return (raw, Convert.ToHexStringLower(raw), Convert.ToBase64String(raw));
            }
        }
        throw new InvalidOperationException("espeak-ng made a recording without speech");
    }

    /// <summary>Files written since <paramref name="since"/> under the temp folder and the app's folders that hold either byte string.</summary>
    private static List<string> FilesHolding(byte[] raw, byte[] base64, DateTime since)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var roots = new[] { Path.GetTempPath(), AppContext.BaseDirectory, Directory.GetCurrentDirectory() }.Distinct();
        var found = new List<string>();
        foreach (var file in roots.SelectMany(root => new DirectoryInfo(root).EnumerateFiles("*", options)))
        {
            try
            {
                // Empty entries are skipped unread: besides empty files they are the FIFOs other .NET processes leave in
                // /tmp (clr-debug-pipe-*), and opening a FIFO with no writer blocks forever.
                if (file.LastWriteTimeUtc < since || file.Length == 0 || file.Length > 256 * 1024 * 1024)
                {
                    continue;
                }
                var bytes = File.ReadAllBytes(file.FullName);
                if (bytes.AsSpan().IndexOf(raw) >= 0 || bytes.AsSpan().IndexOf(base64) >= 0)
                {
                    found.Add(file.FullName);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file another process holds or just removed is not one this app wrote.
            }
        }
        return found;
    }
}

/// <summary>Without a key for the tenant, an upload is refused with 503 before anything is read or sent.</summary>
public sealed class SpokenAnswerWithoutAKeyTests(NoPlatformKeyFixture fixture) : IClassFixture<NoPlatformKeyFixture>
{
    [Fact]
    public async Task AnUploadAnswers503AndSavesNothingWhenTheTenantHasNoKey()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var (candidate, session) = await app.SessionAsync(tenant, SpokenAnswerTests.SpokenPaper());

        using var response = await candidate.UploadAudioAsync(session, "s1", SpokenAudio.Silence(1));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("no Gemini key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(fixture.Gemini.Requests);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @s", ("s", session)));
    }
}
