using FluentValidation;
using LearnPlatform.Api.Papers;
using LearnPlatform.Api.Sessions;

namespace LearnPlatform.Api.CodeRuns;

/// <summary>The body of POST .../run, optional: without <c>code</c> the saved answer runs.</summary>
public sealed record RunCodeRequest(string? Code);

public sealed class RunCodeRequestValidator : AbstractValidator<RunCodeRequest>
{
    public RunCodeRequestValidator() =>
        RuleFor(r => r.Code).MaximumLength(AnswerRules.MaxTextLength).WithMessage($"The code may have at most {AnswerRules.MaxTextLength} characters.");
}

/// <summary>The body of POST .../check, optional: without <c>solution</c> the question's saved reference solution runs.</summary>
public sealed record CheckSolutionRequest(string? Solution);

public sealed class CheckSolutionRequestValidator : AbstractValidator<CheckSolutionRequest>
{
    public CheckSolutionRequestValidator() =>
        RuleFor(r => r.Solution).MaximumLength(QuestionRequestValidator.MaxSolutionLength)
            .WithMessage($"A solution may have at most {QuestionRequestValidator.MaxSolutionLength} characters.");
}
