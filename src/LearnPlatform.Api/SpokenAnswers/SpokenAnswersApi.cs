using System.Text.Json;
using LearnPlatform.Api.Ai;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.SpokenAnswers;

/// <summary>The saved answer (the transcript), with what the transcription said of it.</summary>
public sealed record SpokenAnswerView(string QuestionId, JsonElement Answer, DateTimeOffset SavedAt, int Version, string Language, double Confidence);

/// <summary>
/// PUT /api/v1/sessions/{id}/responses/{question_id}/audio: a spoken answer. The audio is read into memory (never a
/// file: the raw body, no form or request buffering), checked against its Content-Type by its first bytes, sent to
/// Gemini inline through the call guard, and dropped; the transcript is saved as the answer, as autosave saves one.
/// </summary>
public static partial class SpokenAnswersApi
{
    // One call, and one more when the answer does not follow the schema.
    private const int Attempts = 2;

    public static void MapSpokenAnswers(this ApiRoutes routes) =>
        routes.Callers.MapPut("/sessions/{id:guid}/responses/{questionId}/audio", UploadAsync)
            .Accepts<Stream>(AudioFormats.Webm, [.. AudioFormats.All.Skip(1)])
            .WithMetadata(new RequestSizeLimitAttribute(SpokenAnswerLimits.MaxAudioBytes))
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(RateLimitPolicies.Ai);

    private static async Task<Results<Ok<SpokenAnswerView>, ProblemHttpResult>> UploadAsync(
        Guid id, string questionId, HttpContext http, Caller caller, LearnPlatformDbContext db, SessionPapers sessionPapers, ResponseWriter writer, AiGateway ai, AiCallGuard guard,
        TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        if ((caller.IsGuest && caller.SessionId != id) || await sessionPapers.TakenPaperAsync(db, caller, id, ct) is not { } paper)
            return Problems.NotFound("The session");
        if (paper.Questions.FirstOrDefault(q => q.Id == questionId) is not { } question)
            return Problems.NotFound("The question");
        if (question.Kind != QuestionKinds.Spoken)
            return Problems.Invalid("question_id", $"Question {question.Id} is not a spoken question; only spoken questions take audio.");
        if (AudioFormats.MediaType(http.Request.ContentType) is not { } mediaType)
            return UnsupportedMediaType($"Send the audio as one of: {string.Join(", ", AudioFormats.All)}.");
        if (await SessionsApi.UnsavedAsync(db, caller, id, time.GetUtcNow(), ct) is { } closed)
            return closed;
        if (!http.Request.Headers.ContainsKey(AiGateway.KeyHeader) && !guard.HasKey(caller.TenantId))
            return TypedResults.Problem(statusCode: 503, title: "Service Unavailable",
                detail: "Spoken answers cannot be transcribed: no Gemini key is configured for this tenant. Nothing was saved.");

        var audio = await ReadBodyAsync(http.Request, ct);
        try
        {
            if (audio.Length == 0)
                return Problems.Invalid("body", "The body is empty; send the recording.");
            if (!AudioFormats.Matches(mediaType, audio))
                return UnsupportedMediaType($"The body is not {mediaType}: its first bytes are those of another format.");

            var deadline = await db.Sessions.TakenBy(caller).Where(s => s.Id == id).Select(s => s.Deadline).SingleAsync(ct);
            var request = TranscriptionPrompt.Build(mediaType, audio);
            var use = new AiUse(caller.TenantId, AiScope.Session(id), AiCallKind.Transcription, Guest: caller.IsGuest);
            var result = await ai.RunAsync(http, use, deadline - time.GetUtcNow(), async (call, token) =>
            {
                for (var attempt = 1; attempt <= Attempts; attempt++)
                {
                    try
                    {
                        if (TranscriptionPrompt.Read((await call(request, token)).Output) is { } transcript)
                            return transcript;
                    }
                    catch (GeminiException e) when (e.Kind == GeminiErrorKind.InvalidOutput)
                    {
                    }
                    LogRejected(loggers.CreateLogger(typeof(SpokenAnswersApi)), question.Id, attempt);
                }
                return null;
            });
            if (result.Problem is { } problem)
                return problem;

            var spoken = result.Value!;
            var now = time.GetUtcNow();
            var saved = await writer.SaveAsync(caller.TenantId, id, caller.IsGuest ? null : caller.Uid, question.Id, JsonSerializer.Serialize(spoken.Text), expectedVersion: null, now, ct);
            if (saved is null)
                return await SessionsApi.UnsavedAsync(db, caller, id, now, ct) ?? Problems.Conflict("The answer could not be saved; try again.");
            var view = saved.ToView();
            return TypedResults.Ok(new SpokenAnswerView(view.QuestionId, view.Answer, view.SavedAt, view.Version, spoken.Language, spoken.Confidence));
        }
        finally
        {
            // Nothing keeps the recording: this buffer was its only copy on our side.
            Array.Clear(audio);
        }
    }

    /// <summary>
    /// The whole body in one array. Kestrel stops a body past the route's limit (413, <see cref="RequestLimits"/>);
    /// nothing here buffers to disk, as request buffering or form reading would.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, ct);
            return exact;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var audio = buffer.ToArray();
        Array.Clear(buffer.GetBuffer());
        return audio;
    }

    private static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcription of a spoken answer to question {QuestionId} rejected on attempt {Attempt}")]
    private static partial void LogRejected(ILogger logger, string questionId, int attempt);
}
