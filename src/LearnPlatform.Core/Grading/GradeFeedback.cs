namespace LearnPlatform.Core.Grading;

/// <summary>The feedback texts grades carry. They are shown to candidates: none of them reveals an answer key.</summary>
public static class GradeFeedback
{
    public const string Correct = "Correct";
    public const string Incorrect = "Incorrect";
    public const string PartiallyCorrect = "Partially correct";
    public const string NoAnswer = "No answer";
    public const string UnreadableAnswer = "The answer is not in a form this question accepts";
    public const string NoAnswerKey = "Awaiting review (the question has no answer key)";
    public const string NoAiGrader = "Awaiting review (no AI grader configured)";
    public const string NoCodeSandbox = "Awaiting review (no code sandbox configured)";
    public const string SandboxUnavailable = "Awaiting review (the code sandbox could not be reached)";
    public const string SandboxRefused = "Awaiting review (the code sandbox refused to run the answer)";
    public const string UnknownKind = "Awaiting review (this kind of question is not graded automatically)";
    public const string AiOutputInvalid = "Awaiting review (the AI grader's answer could not be validated)";
    public const string MonthlyAiSpendCapReached = "Awaiting review (the tenant's monthly AI spend cap is reached)";
    public const string GuestAiBudgetSpent = "Awaiting review (this month's AI budget for guests is used up)";

    public static string AiCallCapReached(string counter) => $"Awaiting review (the session's AI {counter} cap is reached)";

    /// <summary>Added to the feedback of an answer the AI saw only the beginning of (<see cref="Ai.AiInput"/>).</summary>
    public static string Truncated(int characters) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Only the first {characters:N0} characters of this answer were graded.");
}
