using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Ai;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static LearnPlatform.Testing.GeminiReplies;

namespace LearnPlatform.IntegrationTests.Grading;

/// <summary>An app whose AI routes and grading share one Gemini client and one call guard; one tenant has its own key.</summary>
public sealed class AiPathFixture : IAsyncLifetime
{
    public const string TenantKey = "AIzaSyTENANT-grading-key-51c0e9";

    internal GeminiStandIn Gemini { get; private set; } = null!;
    public TestApp App { get; private set; } = null!;
    public Guid KeyedTenant { get; } = Guid.CreateVersion7();

    public async Task InitializeAsync()
    {
        Gemini = await GeminiStandIn.StartAsync();
        App = await TestApp.StartAsync(settings =>
        {
            settings["Gemini:ApiKey"] = AiAppFixture.PlatformKey;
            settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
            settings[$"Gemini:TenantKeys:{KeyedTenant}"] = TenantKey;
        });
        await AiAppFixture.CreateTenantAsync(App, KeyedTenant);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Gemini.DisposeAsync();
    }
}

/// <summary>One AI call path: grading uses the tenant's key, picks up a rotated key or model at once, bounds what it sends.</summary>
public sealed class AiCallPathTests(AiPathFixture fixture) : IClassFixture<AiPathFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    internal static PaperSettings EssayPaper() => new()
    {
        Title = "Essays",
        TimeLimitSeconds = 1800,
        Questions = [new Question { Id = "e1", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = "mutability (2), use cases (2), syntax (1)", Points = 5 }],
    };

    internal static Reply GoodGrade(string rationale = "Explains mutability; use cases are thin.") => Grade(new
    {
        items = new object[]
        {
            new { criterion = "mutability", score = 2, max = 2 },
            new { criterion = "use cases", score = 1, max = 2 },
            new { criterion = "syntax", score = 1, max = 1 },
        },
        total = 4,
        rationale,
        confidence = 0.9,
    });

    /// <summary>A candidate's submitted essay, and an author's client to read the result with.</summary>
    internal static async Task<(HttpClient Author, Guid Session)> SubmitEssayAsync(TestApp app, Guid tenant, string answer)
    {
        var author = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await app.PublishAsync(tenant, EssayPaper());
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, "e1", answer)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        return (author, session);
    }

    [Fact]
    public async Task TheTenantsOwnKeyGradesItsEssaysAndIsNotBilledToThePlatform()
    {
        Gemini.Script(GoodGrade());

        var (author, session) = await SubmitEssayAsync(App, fixture.KeyedTenant, "Lists are mutable, tuples are not.");

        Assert.Equal(4m, (await author.WaitForResultAsync(session)).ScoreOf("e1"));
        Assert.Equal(AiPathFixture.TenantKey, Assert.Single(Gemini.Requests).ApiKey);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM ai_monthly_spend WHERE tenant_id = @t AND usd > 0", ("t", fixture.KeyedTenant)));
        Assert.DoesNotContain(AiPathFixture.TenantKey, App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARotatedPlatformKeyAndModelApplyToTheNextGradingAndTheNextHint()
    {
        const string rotatedKey = "AIzaSyROTATED-platform-key-9a8b7c";
        var configuration = (IConfigurationRoot)App.Services.GetRequiredService<IConfiguration>();
        var tenant = await App.CreateTenantAsync();
        var (candidate, hintSession) = await App.SessionAsync(tenant, AiCalls.Practice());
        Gemini.Script(GoodGrade(), AiCalls.Hint());
        try
        {
            configuration["Gemini:ApiKey"] = rotatedKey;
            configuration["Gemini:Model"] = "gemini-2.5-flash-lite";
            configuration.Reload();

            var (author, session) = await SubmitEssayAsync(App, tenant, "Lists are mutable, tuples are not.");
            Assert.Equal(4m, (await author.WaitForResultAsync(session)).ScoreOf("e1"));
            Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(hintSession, "q4")).StatusCode);
        }
        finally
        {
            configuration["Gemini:ApiKey"] = AiAppFixture.PlatformKey;
            configuration["Gemini:Model"] = null;
            configuration.Reload();
        }

        Assert.Equal(2, Gemini.Requests.Count);
        Assert.All(Gemini.Requests, request =>
        {
            Assert.Equal(rotatedKey, request.ApiKey);
            Assert.Equal("/v1beta/models/gemini-2.5-flash-lite:generateContent", request.Path);
        });
    }

    [Fact]
    public async Task AnEssayLongerThanTheLimitIsGradedOnItsFirst20000CharactersAndItsFeedbackSaysSo()
    {
        Gemini.Script(GoodGrade());
        var answer = string.Concat(Enumerable.Repeat("Lists are mutable; tuples are not. ", 800)); // 28,000 characters

        var (author, session) = await SubmitEssayAsync(App, await App.CreateTenantAsync(), answer);

        var feedback = (await author.WaitForResultAsync(session)).QuestionOf("e1").GetProperty("feedback").GetString();
        Assert.Equal(answer[..20_000], Assert.Single(Gemini.Requests).DecodedAnswer);
        Assert.StartsWith("Explains mutability; use cases are thin.", feedback, StringComparison.Ordinal);
        Assert.Contains("Only the first 20,000 characters of this answer were graded.", feedback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHintSendsAtMostTheFirst20000CharactersOfTheSavedAnswer()
    {
        var tenant = await App.CreateTenantAsync();
        var (candidate, session) = await App.SessionAsync(tenant, AiCalls.Practice());
        var answer = new string('x', 30_000);
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, "q4", answer)).StatusCode);
        Gemini.Script(AiCalls.Hint());

        Assert.Equal(HttpStatusCode.OK, (await candidate.HintAsync(session, "q4")).StatusCode);

        Assert.Equal(20_000, Assert.Single(Gemini.Requests).DecodedAnswer!.Length);
    }

    [Fact]
    public async Task EssayGradingCarriesItsOutputLimitAndThinkingBudget()
    {
        Gemini.Script(GoodGrade());

        var (author, session) = await SubmitEssayAsync(App, await App.CreateTenantAsync(), "Lists are mutable, tuples are not.");
        await author.WaitForResultAsync(session);

        var config = Assert.Single(Gemini.Requests).GenerationConfig;
        Assert.Equal(4096, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(1024, config.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
    }
}
