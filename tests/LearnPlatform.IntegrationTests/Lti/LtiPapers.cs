using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>Papers for LTI tests: graded by rules alone (2 points), or with an essay that waits for a human (1 + 5 points).</summary>
public static class LtiPapers
{
    public static PaperSettings AutoGraded(string correct = "4", int maxAttempts = 1) => new()
    {
        Title = "Arithmetic",
        TimeLimitSeconds = 1800,
        MaxAttempts = maxAttempts,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = [correct], Points = 1 },
            new Question { Id = "q2", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
        ],
    };

    public static PaperSettings WithEssay() => new()
    {
        Title = "Lists and tuples",
        TimeLimitSeconds = 1800,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
            new Question { Id = "q4", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = "Mutability (5)", Points = 5 },
        ],
    };
}
