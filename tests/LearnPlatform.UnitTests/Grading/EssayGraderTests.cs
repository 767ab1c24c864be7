using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Grading;
using static LearnPlatform.Testing.GeminiReplies;
using static LearnPlatform.UnitTests.Grading.GradingHarness;

namespace LearnPlatform.UnitTests.Grading;

public sealed class EssayGraderTests
{
    private const string Answer = "Lists are mutable and use [], tuples are immutable and use ().";

    private static Task<QuestionGrade> GradeEssay(GradingHarness harness, string answer = Answer, string? key = null) =>
        harness.GradeAsync(Questions.Essay(), answer, key, CancellationToken.None);

    [Fact]
    public async Task ValidAiGradeBecomesAGradedScoreWithItsRubricItems()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade(2, 1.5m, 0.5m, confidence: 0.8)));

        var grade = await GradeEssay(harness);

        Assert.Equal(("q4", 4m, 5m, GradeStatus.Graded, GradeSource.Ai), (grade.QuestionId, grade.Score, grade.MaxScore, grade.Status, grade.Source));
        Assert.Equal(0.8, grade.Confidence);
        Assert.Equal("Covers mutability well; use cases are thin.", grade.Feedback);
        Assert.Equal([new("Mutability", 2m, 2m), new("use cases", 1.5m, 2m), new("syntax", 0.5m, 1m)], grade.Items!);
        Assert.Single(harness.Gemini.Requests);
        Assert.Empty(harness.Gemini.Violations);
    }

    [Fact]
    public async Task CriteriaAreMatchedIgnoringCaseAndOrder()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(new
        {
            items = new object[] { new { criterion = "SYNTAX", score = 1, max = 1 }, new { criterion = "Use Cases", score = 2, max = 2 }, new { criterion = "mutability", score = 0, max = 2 } },
            total = 3, rationale = "ok", confidence = 0.9,
        }));

        var grade = await GradeEssay(harness);

        Assert.Equal(3m, grade.Score);
        Assert.Equal(["Mutability", "use cases", "syntax"], grade.Items!.Select(i => i.Criterion));
    }

    [Fact]
    public async Task RequestCarriesTheRubricTheQuestionAndTheSchema()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade()));

        await GradeEssay(harness);

        var request = harness.Gemini.Requests.Single();
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", request.Path);
        Assert.Contains("Explain list vs tuple.", request.UserText, StringComparison.Ordinal);
        Assert.Contains("{\"criterion\":\"use cases\",\"max\":2}", request.UserText, StringComparison.Ordinal);
        Assert.Equal(0, request.GenerationConfig.GetProperty("temperature").GetInt32());
        var schema = request.GenerationConfig.GetProperty("responseSchema");
        Assert.Equal(["items", "total", "rationale", "confidence"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["criterion", "score", "max"], schema.GetProperty("properties").GetProperty("items").GetProperty("items").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task MalformedJsonIsRetriedAndTheNextValidAnswerCounts()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Text("{\"items\": [ {\"criterion\": \"Mutab"), Grade(EssayGrade()));

        var grade = await GradeEssay(harness);

        Assert.Equal((GradeStatus.Graded, 4m), (grade.Status, grade.Score));
        Assert.Equal(2, harness.Gemini.Requests.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task PersistentlyMalformedOutputGoesToReviewAfterOneCallPlusTheRetries(int retries)
    {
        await using var harness = await StartAsync(maxRetries: retries);
        harness.Gemini.Script(Enumerable.Repeat(Text("Sure! Here is the grade: 4/5"), 10).ToArray());

        var grade = await GradeEssay(harness);

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null, GradeSource.Ai), (grade.Status, grade.Score, grade.Source));
        Assert.Equal(GradeFeedback.AiOutputInvalid, grade.Feedback);
        Assert.Equal(1 + retries, harness.Gemini.Requests.Count);
    }

    [Fact]
    public async Task ScoreAboveTheCriterionMaxIsNeverAcceptedAndEndsInReview()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade(mutability: 3, total: 5)), Grade(EssayGrade(mutability: 3, total: 5)), Grade(EssayGrade(mutability: 3, total: 5)));

        var grade = await GradeEssay(harness);

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null), (grade.Status, grade.Score));
        Assert.Equal(3, harness.Gemini.Requests.Count);
        Assert.Contains(harness.Logs.Lines, e => e.Contains("outside 0..2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetryAfterARejectedGradeTellsTheModelWhatToFixWithoutEchoingIt()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade(mutability: -1, total: 1)), Grade(EssayGrade()));

        await GradeEssay(harness);

        var (first, second) = (harness.Gemini.Requests[0].UserText!, harness.Gemini.Requests[1].UserText!);
        Assert.StartsWith(first, second, StringComparison.Ordinal);
        Assert.Contains("previous reply was rejected", second[first.Length..], StringComparison.Ordinal);
        Assert.DoesNotContain("-1", second[first.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingCriterionIsRetried()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(
            Grade(new { items = new object[] { new { criterion = "Mutability", score = 2, max = 2 }, new { criterion = "syntax", score = 1, max = 1 } }, total = 3, rationale = "", confidence = 0.9 }),
            Grade(EssayGrade()));

        var grade = await GradeEssay(harness);

        Assert.Equal((GradeStatus.Graded, 4m), (grade.Status, grade.Score));
        Assert.Equal(2, harness.Gemini.Requests.Count);
        Assert.Contains(harness.Logs.Lines, e => e.Contains("\"use cases\" is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongTotalEndsInReviewWhenItNeverGetsFixed()
    {
        await using var harness = await StartAsync(maxRetries: 1);
        harness.Gemini.Script(Grade(EssayGrade(total: 5)), Grade(EssayGrade(total: 3.9m)));

        var grade = await GradeEssay(harness);

        Assert.Equal(GradeStatus.NeedsReview, grade.Status);
        Assert.Equal(2, harness.Gemini.Requests.Count);
    }

    [Fact]
    public async Task LowConfidenceGoesToReviewKeepingTheSuggestion()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade(confidence: 0.3, rationale: "Hard to read; maybe 4.")));

        var grade = await GradeEssay(harness);

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null, 0.3), (grade.Status, grade.Score, grade.Confidence));
        Assert.Equal("Hard to read; maybe 4.", grade.Feedback);
        Assert.Equal(4m, grade.Items!.Sum(i => i.Score));
        Assert.Single(harness.Gemini.Requests);
    }

    [Fact]
    public async Task ConfidenceAtTheThresholdIsGraded()
    {
        await using var harness = await StartAsync(reviewBelowConfidence: 0.5);
        harness.Gemini.Script(Grade(EssayGrade(confidence: 0.5)));

        Assert.Equal(GradeStatus.Graded, (await GradeEssay(harness)).Status);
    }

    [Fact]
    public async Task RateLimitIsThrownWithGeminisRetryDelayAndNotRetriedByTheGrader()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(RateLimited("6.5s"), Grade(EssayGrade()));

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal((GeminiErrorKind.RateLimited, (TimeSpan?)TimeSpan.FromSeconds(6.5), 429, "RESOURCE_EXHAUSTED"), (error.Kind, error.RetryAfter, error.HttpStatus, error.ApiStatus));
        Assert.Equal("Rate limit reached, please wait", error.ClientMessage);
        Assert.True(error.IsTransient);
        Assert.Single(harness.Gemini.Requests);
    }

    [Fact]
    public async Task RateLimitWithoutRetryInfoTakesTheRetryAfterHeader()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(WithHeader("Retry-After", "12", Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")));

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal((GeminiErrorKind.RateLimited, (TimeSpan?)TimeSpan.FromSeconds(12)), (error.Kind, error.RetryAfter));
    }

    [Fact]
    public async Task InvalidKeyIsNormalizedAndTheKeyAppearsNowhere()
    {
        const string badKey = "AIzaSyBAD-key-that-google-refuses-42";
        await using var harness = await StartAsync(apiKey: badKey);
        harness.Gemini.Script(InvalidKey(badKey));

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal((GeminiErrorKind.InvalidKey, "Invalid API key", false), (error.Kind, error.ClientMessage, error.IsTransient));
        Assert.Equal(badKey, harness.Gemini.Requests.Single().ApiKey);
        Assert.DoesNotContain(badKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Lines, entry => entry.Contains(badKey, StringComparison.Ordinal));
        Assert.DoesNotContain(badKey, harness.Gemini.Requests.Single().Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionDeniedCountsAsAnInvalidKey()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."));

        Assert.Equal(GeminiErrorKind.InvalidKey, (await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness))).Kind);
    }

    [Fact]
    public async Task OtherBadRequestsAreRejectionsNotKeyProblems()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), Error(404, "NOT_FOUND", "models/gemini-9 is not found."));

        Assert.Equal(GeminiErrorKind.Rejected, (await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness))).Kind);
        Assert.Equal(GeminiErrorKind.Rejected, (await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness))).Kind);
    }

    [Fact]
    public async Task ServiceUnavailableIsTransient()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Unavailable());

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal((GeminiErrorKind.Unavailable, "Service temporarily unavailable", true, 503), (error.Kind, error.ClientMessage, error.IsTransient, error.HttpStatus));
    }

    [Fact]
    public async Task SlowResponseIsATimeout()
    {
        await using var harness = await StartAsync(timeout: TimeSpan.FromMilliseconds(300));
        harness.Gemini.Script(Slow(TimeSpan.FromSeconds(20), Grade(EssayGrade())));

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal((GeminiErrorKind.Timeout, true), (error.Kind, error.IsTransient));
    }

    [Fact]
    public async Task CallerCancellationIsNotReportedAsATimeout()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Slow(TimeSpan.FromSeconds(20), Grade(EssayGrade())));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Record.ExceptionAsync(() => harness.GradeAsync(Questions.Essay(), Answer, null, cancel.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task SafetyBlockedAnswerIsBlocked()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(SafetyBlock(), PromptBlocked());

        Assert.Equal(GeminiErrorKind.Blocked, (await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness))).Kind);
        Assert.Equal(GeminiErrorKind.Blocked, (await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness))).Kind);
    }

    [Fact]
    public async Task UnreachableServiceIsUnavailable()
    {
        await using var harness = await StartAsync();
        var client = new GeminiClient(harness.Http, new FixedOptions<GeminiOptions>(new GeminiOptions { BaseUrl = "http://127.0.0.1:1" }), harness.Logs.LoggerFor<GeminiClient>(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<GeminiException>(() => new EssayGrader().GradeAsync(Questions.Essay(), Answer, (request, ct) => client.GenerateJsonAsync(request, PlatformKey, Limits, ct), CancellationToken.None));

        Assert.Equal(GeminiErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public async Task ThePlatformKeyTravelsOnlyInTheHeader()
    {
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade()), Text("not json"), RateLimited("1s"));

        await GradeEssay(harness);
        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.All(harness.Gemini.Requests, request =>
        {
            Assert.Equal(PlatformKey, request.ApiKey);
            Assert.DoesNotContain(PlatformKey, request.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(PlatformKey, request.Body, StringComparison.Ordinal);
            Assert.Empty(request.Query);
        });
        Assert.DoesNotContain(PlatformKey, error.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(harness.Logs.Lines);
        Assert.DoesNotContain(harness.Logs.Lines, entry => entry.Contains(PlatformKey, StringComparison.Ordinal));
        Assert.Empty(harness.Gemini.Violations);
    }

    [Fact]
    public async Task AKeyOverrideReplacesThePlatformKeyForThatCallOnly()
    {
        const string ownKey = "AIzaSyOWN-candidate-key-123";
        await using var harness = await StartAsync();
        harness.Gemini.Script(Grade(EssayGrade()), Grade(EssayGrade()));

        await GradeEssay(harness, key: ownKey);
        await GradeEssay(harness);

        Assert.Equal([ownKey, PlatformKey], harness.Gemini.Requests.Select(r => r.ApiKey));
        Assert.DoesNotContain(harness.Logs.Lines, entry => entry.Contains(ownKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAnyKeyNothingIsSent()
    {
        await using var harness = await StartAsync(apiKey: null);

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness));

        Assert.Equal(GeminiErrorKind.MissingKey, error.Kind);
        Assert.Empty(harness.Gemini.Requests);
    }

    [Fact]
    public async Task AKeyThatCannotBeAHeaderIsRefusedWithoutQuotingIt()
    {
        const string key = "AIzaSy\r\nX-Evil: yes";
        await using var harness = await StartAsync();

        var error = await Assert.ThrowsAsync<GeminiException>(() => GradeEssay(harness, key: key));

        Assert.Equal(GeminiErrorKind.InvalidKey, error.Kind);
        Assert.DoesNotContain("Evil", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(harness.Gemini.Requests);
    }
}
