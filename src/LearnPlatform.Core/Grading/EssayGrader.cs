using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Gemini;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LearnPlatform.Core.Grading;

/// <summary>
/// Grades one written answer (an essay, or a short_text answer the rules could not match) with Gemini against the
/// question's rubric. An answer Gemini cannot put into a valid grade after the retries goes to review rather than
/// getting an invented score. Gemini failures other than unusable output are thrown as <see cref="GeminiException"/>
/// for the caller (the grading workflow) to retry or give up on.
/// </summary>
public sealed partial class EssayGrader(GeminiClient gemini, EssayGraderOptions? options = null, ILogger<EssayGrader>? logger = null)
{
    private readonly EssayGraderOptions _options = options ?? new EssayGraderOptions();
    private readonly ILogger _logger = logger ?? NullLogger<EssayGrader>.Instance;

    // Fixed text: echoing the problem could carry words the model took from the answer out of the answer block.
    private const string RetryNote =
        "\n\nYour previous reply was rejected: give exactly one item per rubric criterion, each score between 0 and its max, "
        + "total equal to the sum of the scores, and confidence between 0 and 1.";

    /// <param name="answered">Told the token usage of every call Gemini answered (and so billed), for spend accounting.</param>
    public async Task<QuestionGrade> GradeAsync(Question question, string answer, string? apiKeyOverride, CancellationToken cancellationToken, Func<GeminiUsage, Task>? answered = null)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        var rubric = RubricParser.Parse(question.Rubric, question.Points);
        var request = EssayPrompt.Build(question, rubric, answer);
        var userText = request.UserText;

        for (var attempt = 1; attempt <= 1 + Math.Max(0, _options.MaxRetries); attempt++)
        {
            string problem;
            try
            {
                var response = await gemini.GenerateJsonAsync(request, apiKeyOverride, cancellationToken);
                if (answered is not null)
                    await answered(response.Usage);
                var validation = EssayGradeValidator.Validate(response.Output, rubric, question.Points, _options.MaxRationaleLength);
                if (validation.Grade is { } grade)
                    return ToQuestionGrade(question, grade);
                problem = validation.Problem!;
            }
            catch (GeminiException e) when (e.Kind == GeminiErrorKind.InvalidOutput)
            {
                problem = "the reply is not valid JSON";
            }

            LogRejected(_logger, question.Id, attempt, problem);
            request = request with { UserText = userText + RetryNote };
        }

        return new QuestionGrade(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Ai, GradeFeedback.AiOutputInvalid, null, null);
    }

    private QuestionGrade ToQuestionGrade(Question question, AiEssayGrade grade)
    {
        var feedback = string.IsNullOrWhiteSpace(grade.Rationale) ? null : grade.Rationale;
        return grade.Confidence < _options.ReviewBelowConfidence
            ? new QuestionGrade(question.Id, null, question.Points, GradeStatus.NeedsReview, GradeSource.Ai, feedback, grade.Confidence, grade.Items)
            : new QuestionGrade(question.Id, grade.Total, question.Points, GradeStatus.Graded, GradeSource.Ai, feedback, grade.Confidence, grade.Items);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI grade for question {QuestionId} rejected on attempt {Attempt}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string questionId, int attempt, string problem);
}
