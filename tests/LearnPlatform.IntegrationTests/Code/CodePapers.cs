using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Code;

/// <summary>Papers with code questions, and a candidate's way through one, for the code tests.</summary>
public static class CodePapers
{
    /// <summary>In the hidden test only, so a leak of it is easy to find.</summary>
    public const string HiddenCall = "add(1000003, 5)";
    public const string HiddenExpected = "1000008";
    public const string Correct = "def add(a, b):\n    return a + b\n";

    /// <summary>add(a, b) with two visible tests and one hidden one.</summary>
    public static Question Add(string id = "c1", decimal points = 2, string language = CodeLanguages.Python) => new()
    {
        Id = id,
        Kind = QuestionKinds.Code,
        Language = language,
        Prompt = "Write add(a, b).",
        Points = points,
        Tests =
        [
            new CodeTest { Call = "add(2, 3)", Expected = "5" },
            new CodeTest { Call = "add(-1, 1)", Expected = "0" },
            new CodeTest { Call = HiddenCall, Expected = HiddenExpected, Hidden = true },
        ],
        Solution = Correct,
    };

    public static PaperSettings Paper(string mode = PaperModes.Exam, bool allowCodeRuns = false, params Question[] questions) => new()
    {
        Title = "Code",
        TimeLimitSeconds = 1800,
        MaxAttempts = 1,
        GuestAccess = true,
        Mode = mode,
        AllowCodeRuns = allowCodeRuns,
        Questions = questions.Length > 0 ? questions : [Add()],
    };

    public static PaperSettings Practice(params Question[] questions) => Paper(PaperModes.Practice, false, questions);

    /// <summary>A new tenant with an author, the paper published, and a candidate in a started session.</summary>
    public static async Task<(HttpClient Author, HttpClient Candidate, Guid Paper, Guid Session)> StartAsync(this TestApp app, PaperSettings paper)
    {
        var tenant = await app.CreateTenantAsync();
        var author = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paperId = await app.PublishAsync(tenant, paper);
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paperId)).Id();
        return (author, candidate, paperId, session);
    }

    /// <summary>Answers every code question of <paramref name="paper"/> with <paramref name="code"/>, submits, and waits for grading.</summary>
    /// <returns>The result as the candidate reads it (raw, for leak checks) and as the author reads it.</returns>
    public static async Task<(string CandidateView, JsonElement AuthorView)> GradeAsync(this TestApp app, string code, PaperSettings? paper = null, int seconds = 90)
    {
        paper ??= Paper();
        var (author, candidate, _, session) = await app.StartAsync(paper);
        foreach (var question in paper.Questions.Where(q => q.Kind == QuestionKinds.Code))
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, question.Id, code)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        await candidate.WaitForResultAsync(session, seconds: seconds);
        var candidateView = await candidate.GetStringAsync($"/api/v1/sessions/{session}/result");
        return (candidateView, await author.WaitForResultAsync(session, seconds: seconds));
    }

    public static string FeedbackOf(this JsonElement result, string questionId) =>
        result.QuestionOf(questionId).GetProperty("feedback").GetString()!;

    public static Task<HttpResponseMessage> RunAsync(this HttpClient client, Guid session, string questionId, string? code = null) =>
        code is null
            ? client.PostAsync($"/api/v1/sessions/{session}/responses/{questionId}/run", null)
            : client.PostAsJsonAsync($"/api/v1/sessions/{session}/responses/{questionId}/run", new { code });

    public static Task<HttpResponseMessage> CheckAsync(this HttpClient client, Guid paper, string questionId, string? solution = null) =>
        solution is null
            ? client.PostAsync($"/api/v1/papers/{paper}/questions/{questionId}/check", null)
            : client.PostAsJsonAsync($"/api/v1/papers/{paper}/questions/{questionId}/check", new { solution });
}
