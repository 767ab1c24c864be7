using System.Text.Json;
using LearnPlatform.Api.Ai.Generation;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Data;

namespace LearnPlatform.UnitTests.Ai;

public sealed class GeneratedQuestionsTests
{
    public GeneratedQuestionsTests() => ValidationFilter.UseSnakeCasePropertyNames();

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public void KindAndIdsAreOursNotTheModels()
    {
        var output = Json(new { questions = new[] { new { id = "q1", kind = "essay", prompt = "Why?", rubric = "Reasons (2)", points = 2 } } });

        var question = Assert.Single(GeneratedQuestions.Read(output, QuestionKinds.Essay, 1, ["q1"])!);

        Assert.Equal(QuestionKinds.Essay, question.Kind);
        Assert.StartsWith("ai-", question.Id, StringComparison.Ordinal);
        Assert.NotEqual("q1", question.Id);
    }

    [Fact]
    public void WrongCountIsUnusable()
    {
        var output = Json(new { questions = new[] { new { prompt = "Why?", rubric = "Reasons (2)", points = 2 } } });

        Assert.Null(GeneratedQuestions.Read(output, QuestionKinds.Essay, 2, []));
    }

    [Theory]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"options\": [\"a\", \"a\"], \"correct\": [\"a\"], \"points\": 1}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"options\": [\"a\", \"b\"], \"correct\": [\"a\", \"b\"], \"points\": 1}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"options\": [\"a\", \"b\"], \"correct\": [\"a\"], \"points\": 0}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"options\": [\"a\", \"b\"], \"correct\": [\"a\"], \"points\": 1.005}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"\", \"options\": [\"a\", \"b\"], \"correct\": [\"a\"], \"points\": 1}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"options\": [\"a\", 2], \"correct\": [\"a\"], \"points\": 1}]}")]
    [InlineData("{\"questions\": [{\"prompt\": \"Pick\", \"correct\": [\"a\"], \"points\": 1}]}")]
    [InlineData("{\"questions\": [\"Pick\"]}")]
    [InlineData("{\"items\": []}")]
    public void QuestionsThatFailTheQuestionValidatorsAreUnusable(string json) =>
        Assert.Null(GeneratedQuestions.Read(JsonDocument.Parse(json).RootElement, QuestionKinds.SingleChoice, 1, []));

    [Fact]
    public void ShortTextAndCodeQuestionsMapTheirFields()
    {
        var shortText = GeneratedQuestions.Read(Json(new { questions = new[] { new { prompt = "Capital of France?", correct = new[] { "Paris" }, points = 1 } } }), QuestionKinds.ShortText, 1, [])!;
        var code = GeneratedQuestions.Read(Json(new
        {
            questions = new[] { new { prompt = "sq(x)", language = "python", points = 2, tests = new[] { new { call = "sq(2)", expected = "4", hidden = true } } } },
        }), QuestionKinds.Code, 1, [])!;

        Assert.Equal(["Paris"], shortText[0].Correct);
        Assert.True(code[0].Tests![0].Hidden);
        Assert.Null(GeneratedQuestions.Read(Json(new { questions = new[] { new { prompt = "sq(x)", language = "ruby", points = 2, tests = new[] { new { call = "sq(2)", expected = "4", hidden = true } } } } }), QuestionKinds.Code, 1, []));
    }
}
