using System.Text.Json;
using LearnPlatform.Core.Data;

namespace LearnPlatform.UnitTests.Grading;

/// <summary>The questions of the contract's example paper, and answers as the API stores them.</summary>
internal static class Questions
{
    public static Question SingleChoice(decimal points = 1) => new()
    {
        Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = points,
    };

    public static Question MultipleChoice(decimal points = 2) => new()
    {
        Id = "q2", Kind = QuestionKinds.MultipleChoice, Prompt = "Even numbers?", Options = ["1", "2", "4"], Correct = ["2", "4"], Points = points,
    };

    public static Question ShortText(bool aiFallback = false, params string[] correct) => new()
    {
        Id = "q3", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?",
        Correct = correct.Length > 0 ? correct : ["def"], Points = 1, AiFallback = aiFallback,
    };

    public static Question Essay(string rubric = "Mutability (2), use cases (2), syntax (1)", decimal points = 5) => new()
    {
        Id = "q4", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = rubric, Points = points,
    };

    public static Question Code() => new()
    {
        Id = "q5", Kind = QuestionKinds.Code, Language = "python", Prompt = "Write add(a, b).",
        Tests = [new CodeTest { Call = "add(2, 3)", Expected = "5" }], Points = 3,
    };

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static JsonElement Text(string text) => JsonSerializer.SerializeToElement(text);

    public static JsonElement Options(params string[] options) => JsonSerializer.SerializeToElement(options);
}
