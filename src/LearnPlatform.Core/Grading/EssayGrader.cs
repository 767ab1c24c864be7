using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LearnPlatform.Core.Grading;

/// <summary>
/// Grades one written answer (an essay, or a short_text answer the rules could not match) with Gemini against the
/// question's rubric, through the call it is given (the call guard's, which chose the key and counts the cost). Only
/// the first <see cref="AiInput.MaxAnswerCharacters"/> characters of the answer are sent, and the feedback says so.
/// An answer Gemini cannot put into a valid grade after the retries goes to review rather than getting an invented
/// score. Gemini failures other than unusable output are thrown as <see cref="GeminiException"/> for the caller (the
/// grading workflow) to retry or give up on.
/// </summary>
public sealed partial class EssayGrader(EssayGraderOptions? options = null, ILogger<EssayGrader>? logger = null)
{
    private readonly EssayGraderOptions _options = options ?? new EssayGraderOptions();
    private readonly ILogger _logger = logger ?? NullLogger<EssayGrader>.Instance;

    // Fixed text: echoing the problem could carry words the model took from the answer out of the answer block.
    private const string RetryNote =
        "\n\nYour previous reply was rejected: give exactly one item per rubric criterion, each score between 0 and its max, "
        + "total equal to the sum of the scores, and confidence between 0 and 1.";

    public async Task<QuestionGrade> GradeAsync(Question question, string answer, AiCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(call);
        var rubric = RubricParser.Parse(question.Rubric, question.Points);
        var (sent, truncated) = AiInput.Bound(answer);
        var request = EssayPrompt.Build(question, rubric, sent);
        var userText = request.UserText;

        for (var attempt = 1; attempt <= 1 + Math.Max(0, _options.MaxRetries); attempt++)
        {
            string problem;
            try
            {
                var response = await call(request, cancellationToken);
                var validation = EssayGradeValidator.Validate(response.Output, rubric, question.Points, _options.MaxRationaleLength);
                if (validation.Grade is { } grade)
                    return Noted(ToQuestionGrade(question, grade), truncated);
                problem = validation.Problem!;
            }
            catch (GeminiException e) when (e.Kind == GeminiErrorKind.InvalidOutput)
            {
                problem = "the reply is not valid JSON";
            }

            LogRejected(_logger, question.Id, attempt, problem);
            request = request with { UserText = userText + RetryNote };
        }

        return Noted(new QuestionGrade(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Ai, GradeFeedback.AiOutputInvalid, null, null), truncated);
    }

    private QuestionGrade ToQuestionGrade(Question question, AiEssayGrade grade)
    {
        var feedback = string.IsNullOrWhiteSpace(grade.Rationale) ? null : grade.Rationale;
        return grade.Confidence < _options.ReviewBelowConfidence
            ? new QuestionGrade(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Ai, feedback, grade.Confidence, grade.Items)
            : new QuestionGrade(question.Id, grade.Total, question.Points, GradeStatus.Graded, GradeSource.Ai, feedback, grade.Confidence, grade.Items);
    }

    private static QuestionGrade Noted(QuestionGrade grade, bool truncated)
    {
        if (!truncated)
            return grade;
        var note = GradeFeedback.Truncated(AiInput.MaxAnswerCharacters);
        return grade with { Feedback = grade.Feedback is { } feedback ? $"{feedback}\n\n{note}" : note };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI grade for question {QuestionId} rejected on attempt {Attempt}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string questionId, int attempt, string problem);
}
