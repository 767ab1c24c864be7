using System.Text.Json;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using static LearnPlatform.Testing.GeminiReplies;
using static LearnPlatform.UnitTests.Grading.Questions;

namespace LearnPlatform.UnitTests.Grading;

public sealed class SessionGraderTests
{
    private static readonly Question[] Paper = [SingleChoice(), MultipleChoice(), ShortText(), Essay(), Code()];

    private static Dictionary<string, JsonElement> GoodAnswers() => new()
    {
        ["q1"] = Options("4"),
        ["q2"] = Options("2"),
        ["q3"] = Text(" DEF "),
        ["q4"] = Text("Lists are mutable, tuples are not."),
        ["q5"] = Text("def add(a, b):\n    return a + b"),
    };

    [Fact]
    public void OfflineGradesChoiceAndShortTextAndSendsTheRestToReview()
    {
        var grades = Paper.Select(q => OfflineGrader.Grade(q, GoodAnswers()[q.Id])).ToList();

        Assert.Equal([1m, 1m, 1m, null, null], grades.Select(g => g.Score));
        Assert.Equal(
            [GradeFeedback.Correct, GradeFeedback.PartiallyCorrect, GradeFeedback.Correct, GradeFeedback.NoAiGrader, GradeFeedback.NoCodeSandbox],
            grades.Select(g => g.Feedback));
    }

    [Fact]
    public void OfflineShortTextNeedingTheAiAwaitsReview()
    {
        var grade = OfflineGrader.Grade(ShortText(aiFallback: true), Text("the def keyword"));

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null, GradeFeedback.NoAiGrader), (grade.Status, grade.Score, grade.Feedback));
    }

    [Fact]
    public void OfflineStillGradesABlankEssayAndCodeAsZero()
    {
        Assert.Equal(0m, OfflineGrader.Grade(Essay(), Text("")).Score);
        Assert.Equal(0m, OfflineGrader.Grade(Code(), null).Score);
    }

    [Fact]
    public void UnknownQuestionKindAwaitsReview()
    {
        var question = SingleChoice() with { Kind = "drawing" };

        Assert.Equal(GradeStatus.NeedsReview, OfflineGrader.Grade(question, Text("a circle")).Status);
    }

    [Fact]
    public async Task WithoutAnAiGraderTheSessionNeedsReviewAndCountsOnlyGradedQuestions()
    {
        var summary = await new SessionGrader(new EssayGrader()).GradeAsync(Paper, GoodAnswers(), call: null, CancellationToken.None);

        Assert.Equal((GradeStatus.NeedsReview, 3m, 12m), (summary.Status, summary.Score, summary.MaxScore));
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], summary.Questions.Select(g => g.QuestionId));
    }

    [Fact]
    public async Task UnansweredQuestionsScoreZeroAndDoNotBlockGrading()
    {
        var summary = await new SessionGrader(new EssayGrader()).GradeAsync(Paper, new Dictionary<string, JsonElement>(), call: null, CancellationToken.None);

        Assert.Equal((GradeStatus.Graded, 0m, 12m), (summary.Status, summary.Score, summary.MaxScore));
    }

    [Fact]
    public async Task WithTheAiEssaysAreGradedButCodeStillAwaitsReview()
    {
        await using var harness = await GradingHarness.StartAsync();
        harness.Gemini.Script(Grade(GradingHarness.EssayGrade(2, 2, 0.5m)));

        var summary = await new SessionGrader(harness.Grader).GradeAsync(Paper, GoodAnswers(), harness.Call(), CancellationToken.None);

        Assert.Equal((GradeStatus.NeedsReview, 7.5m, 12m), (summary.Status, summary.Score, summary.MaxScore));
        Assert.Equal([GradeSource.Auto, GradeSource.Auto, GradeSource.Auto, GradeSource.Ai, GradeSource.Auto], summary.Questions.Select(g => g.Source));
        Assert.Single(harness.Gemini.Requests);
    }

    [Fact]
    public async Task APaperTheAiCanFinishIsGraded()
    {
        await using var harness = await GradingHarness.StartAsync();
        harness.Gemini.Script(Grade(GradingHarness.EssayGrade(2, 2, 1)), Grade(new
        {
            items = new[] { new { criterion = RubricParser.OverallCriterion, score = 1, max = 1 } }, total = 1, rationale = "Same meaning as def.", confidence = 0.9,
        }));
        Question[] paper = [SingleChoice(), Essay(), ShortText(aiFallback: true)];
        var answers = new Dictionary<string, JsonElement> { ["q1"] = Options("3"), ["q4"] = Text("..."), ["q3"] = Text("the def statement") };

        var summary = await new SessionGrader(harness.Grader).GradeAsync(paper, answers, harness.Call(), CancellationToken.None);

        Assert.Equal((GradeStatus.Graded, 6m, 7m), (summary.Status, summary.Score, summary.MaxScore));
        Assert.Contains("Reference answers", harness.Gemini.Requests[1].UserText, StringComparison.Ordinal);
    }

    [Fact]
    public void StepByStepOnlyTheAnswersNeedingJudgementAreLeftForTheAi()
    {
        var answers = GoodAnswers();
        var grader = new SessionGrader(new EssayGrader());

        var open = Paper.Where(q => grader.GradeDeterministic(q, answers[q.Id]) is null).Select(q => q.Id);

        Assert.Equal(["q4"], open);
        Assert.Null(grader.GradeDeterministic(ShortText(aiFallback: true), Text("the def keyword")));
        Assert.NotNull(grader.GradeDeterministic(Essay(), Text("   ")));
        Assert.Equal(GradeFeedback.NoAiGrader, grader.GradeDeterministic(Essay(), answers["q4"], withAi: false)!.Feedback);
    }

    [Fact]
    public async Task TheAiStepSettlesWhatTheRulesCanWithoutCallingGemini()
    {
        await using var harness = await GradingHarness.StartAsync();

        var grade = await new SessionGrader(harness.Grader).GradeWithAiAsync(Essay(), null, harness.Call(), CancellationToken.None);

        Assert.Equal((GradeStatus.Graded, (decimal?)0m), (grade.Status, grade.Score));
        Assert.Empty(harness.Gemini.Requests);
    }

    [Fact]
    public async Task GeminiFailuresReachTheWorkflowAndCanBeTurnedIntoAReview()
    {
        await using var harness = await GradingHarness.StartAsync();
        harness.Gemini.Script(Unavailable());
        var grader = new SessionGrader(harness.Grader);

        var error = await Assert.ThrowsAsync<GeminiException>(() => grader.GradeWithAiAsync(Essay(), Text("answer"), harness.Call(), CancellationToken.None));
        var grade = SessionGrader.AwaitingReview(Essay(), error);

        Assert.Equal((GradeStatus.NeedsReview, (decimal?)null, GradeSource.Ai), (grade.Status, grade.Score, grade.Source));
        Assert.Equal("Awaiting review (AI grading failed: Service temporarily unavailable)", grade.Feedback);
    }

    [Fact]
    public void SummaryIsGradedOnlyWhenEveryQuestionIs()
    {
        QuestionGrade Graded(decimal score, decimal max) => new("q", score, max, GradeStatus.Graded, GradeSource.Auto, null, null, null);
        var review = new QuestionGrade("r", null, 4, GradeStatus.NeedsReview, GradeSource.Ai, null, 0.2, null);

        var all = SessionGrader.Summarize([Graded(1, 2), Graded(2.5m, 3)]);
        Assert.Equal((GradeStatus.Graded, 3.5m, 5m, 2), (all.Status, all.Score, all.MaxScore, all.Questions.Count));
        var mixed = SessionGrader.Summarize([Graded(1, 2), review]);
        Assert.Equal((GradeStatus.NeedsReview, 1m, 6m), (mixed.Status, mixed.Score, mixed.MaxScore));
        var empty = SessionGrader.Summarize([]);
        Assert.Equal((GradeStatus.Graded, 0m, 0m), (empty.Status, empty.Score, empty.MaxScore));
    }
}
