using FluentValidation;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Papers;

/// <summary>
/// A paper as an author sends it to POST and PUT. Fields are nullable so a missing field is reported by the
/// validator, per field, instead of silently becoming 0 or false. List elements can arrive as JSON null too
/// (the serializer does not enforce nullability); the validators check them before anything reads them.
/// </summary>
public sealed record PaperRequest(
    string? Title,
    int? TimeLimitSeconds,
    int? MaxAttempts,
    bool? GuestAccess,
    bool? ShuffleQuestions,
    bool? ShuffleOptions,
    IReadOnlyList<QuestionRequest>? Questions,
    string? Mode = null,
    bool? AllowHintsDuringExam = null,
    bool? AllowCodeRuns = null)
{
    /// <summary>Only called once the request has passed <see cref="PaperRequestValidator"/>.</summary>
    public PaperSettings ToSettings() =>
        new()
        {
            Title = Title!,
            TimeLimitSeconds = TimeLimitSeconds!.Value,
            MaxAttempts = MaxAttempts ?? 1,
            GuestAccess = GuestAccess ?? false,
            ShuffleQuestions = ShuffleQuestions ?? false,
            ShuffleOptions = ShuffleOptions ?? false,
            Mode = Mode ?? PaperModes.Exam,
            AllowHintsDuringExam = AllowHintsDuringExam ?? false,
            AllowCodeRuns = AllowCodeRuns ?? false,
            Questions = Questions!.Select(q => q.ToQuestion()).ToList(),
        };
}

public sealed record QuestionRequest(
    string? Id,
    string? Kind,
    string? Prompt,
    IReadOnlyList<string?>? Options,
    IReadOnlyList<string?>? Correct,
    string? Rubric,
    string? Language,
    IReadOnlyList<CodeTestRequest>? Tests,
    decimal? Points,
    bool? AiFallback,
    string? Solution = null,
    int? MaxSeconds = null)
{
    public Question ToQuestion() =>
        new()
        {
            Id = Id!,
            Kind = Kind!,
            Prompt = Prompt!,
            Points = Points!.Value,
            Options = Options?.Select(o => o!).ToList(),
            Correct = Correct?.Select(c => c!).ToList(),
            Rubric = Rubric,
            Language = Language,
            Tests = Tests?.Select(t => new CodeTest { Call = t.Call!, Expected = t.Expected!, Hidden = t.Hidden ?? false }).ToList(),
            AiFallback = AiFallback ?? false,
            Solution = Solution,
            MaxSeconds = MaxSeconds,
        };
}

public sealed record CodeTestRequest(string? Call, string? Expected, bool? Hidden);

public sealed class PaperRequestValidator : AbstractValidator<PaperRequest>
{
    public const int MaxQuestions = 200;

    public PaperRequestValidator(IOptions<GuestTokenOptions> guestTokens)
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        // A guest's token must last to the deadline plus grace; guests get no accommodations, so the time limit is the whole session.
        var longestGuestPaper = (int)(guestTokens.Value.MaxLifetime - guestTokens.Value.Grace).TotalSeconds;

        RuleFor(p => p.Title).NotEmpty().WithMessage("A title is required.")
            .MaximumLength(200).WithMessage("The title may have at most 200 characters.");
        RuleFor(p => p.TimeLimitSeconds).NotNull().WithMessage("A time limit is required.")
            .InclusiveBetween(60, 86_400).WithMessage("The time limit must be between 60 and 86400 seconds.")
            .LessThanOrEqualTo(longestGuestPaper).When(p => p.GuestAccess == true, ApplyConditionTo.CurrentValidator)
            .WithMessage($"With guest access the time limit may be at most {longestGuestPaper} seconds, so the guest token outlives the session.");
        RuleFor(p => p.MaxAttempts).InclusiveBetween(1, 100).WithMessage("The number of attempts must be between 1 and 100.");
        RuleFor(p => p.Mode).Must(m => m is null || PaperModes.All.Contains(m)).WithMessage($"The mode must be one of: {string.Join(", ", PaperModes.All)}.");
        RuleFor(p => p.Questions).NotEmpty().WithMessage("A paper needs at least one question.")
            .Must(q => q!.Count <= MaxQuestions).WithMessage($"A paper may have at most {MaxQuestions} questions.")
            .Custom(ReportDuplicateIds);
        // Continue: under Stop a collection rule would end at the first bad element and hide the rest.
        // Over the limit, the count is the error; checking thousands of questions would only bloat the answer.
        RuleForEach(p => p.Questions).Cascade(CascadeMode.Continue)
            .NotNull().WithMessage("A question is required here.")
            .SetValidator(new QuestionRequestValidator())
            .When(p => p.Questions is { Count: <= MaxQuestions });
    }

    /// <summary>Each repeat is reported at its own id, so the client can point at it.</summary>
    private static void ReportDuplicateIds(IReadOnlyList<QuestionRequest>? questions, ValidationContext<PaperRequest> context)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < questions!.Count; i++)
        {
            if (questions[i]?.Id is not { Length: > 0 } id)
            {
                continue;
            }
            if (seen.TryGetValue(id, out var first))
            {
                context.AddFailure($"questions[{i}].id", $"The question id is already used by questions[{first}].");
            }
            else
            {
                seen[id] = i;
            }
        }
    }
}

public sealed partial class QuestionRequestValidator : AbstractValidator<QuestionRequest>
{
    public QuestionRequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(q => q.Id).NotEmpty().WithMessage("A question id is required.")
            .MaximumLength(64).WithMessage("A question id may have at most 64 characters.")
            .Matches(IdPattern()).WithMessage("A question id may contain only letters, digits, '_' and '-'.");
        RuleFor(q => q.Kind).NotEmpty().WithMessage("A question kind is required.")
            .Must(k => QuestionKinds.All.Contains(k!)).WithMessage($"The kind must be one of: {string.Join(", ", QuestionKinds.All)}.");
        RuleFor(q => q.Prompt).NotEmpty().WithMessage("A prompt is required.")
            .MaximumLength(20_000).WithMessage("A prompt may have at most 20000 characters.");
        RuleFor(q => q.Points).NotNull().WithMessage("Points are required.")
            .GreaterThan(0).WithMessage("Points must be more than 0 and at most 1000.")
            .LessThanOrEqualTo(1000).WithMessage("Points must be more than 0 and at most 1000.")
            // Scores are stored with two decimals.
            .PrecisionScale(6, 2, ignoreTrailingZeros: true).WithMessage("Points may have at most two decimal places.");

        When(q => q.Kind is QuestionKinds.SingleChoice or QuestionKinds.MultipleChoice, ChoiceRules);
        When(q => q.Kind is QuestionKinds.ShortText, ShortTextRules);
        When(q => q.Kind is { } kind && QuestionKinds.HasRubric(kind), RubricRules);
        When(q => q.Kind is QuestionKinds.Spoken, SpokenRules);
        When(q => q.Kind is QuestionKinds.Code, CodeRules);
        When(q => q.Kind is { } kind && QuestionKinds.All.Contains(kind), FieldsOfOtherKinds);
    }

    private void ChoiceRules()
    {
        RuleFor(q => q.Options).NotEmpty().WithMessage("A choice question needs options.")
            .Must(o => o!.Count is >= 2 and <= 20).WithMessage("A choice question needs 2 to 20 options.")
            .Must(o => o!.Where(x => x is not null).Distinct(StringComparer.Ordinal).Count() == o!.Count(x => x is not null))
            .WithMessage("The options must all be different.");
        RuleForEach(q => q.Options).Cascade(CascadeMode.Continue).NotEmpty().WithMessage("An option must not be empty.")
            .MaximumLength(1000).WithMessage("An option may have at most 1000 characters.");
        RuleFor(q => q.Correct).NotEmpty().WithMessage("Name the correct option.")
            .Must(c => c!.Count == 1).WithMessage("A single choice question has exactly one correct option.")
            .When(q => q.Kind == QuestionKinds.SingleChoice, ApplyConditionTo.CurrentValidator)
            .Must(c => c!.Distinct(StringComparer.Ordinal).Count() == c!.Count).WithMessage("The correct options must not repeat.")
            // Without options, that is the error to report; this rule would only echo it.
            .Must((q, c) => q.Options is not { } options || c!.All(x => options.Contains(x, StringComparer.Ordinal)))
            .WithMessage("Every correct answer must be one of the options.");
    }

    private void ShortTextRules()
    {
        RuleFor(q => q.Correct).NotEmpty().WithMessage("A short text question needs at least one accepted answer.")
            .Must(c => c!.Count <= 50).WithMessage("A short text question may have at most 50 accepted answers.");
        RuleForEach(q => q.Correct).Cascade(CascadeMode.Continue).NotEmpty().WithMessage("An accepted answer must not be empty.")
            .MaximumLength(1000).WithMessage("An accepted answer may have at most 1000 characters.");
    }

    private void RubricRules() =>
        RuleFor(q => q.Rubric).NotEmpty().WithMessage("An essay or spoken question needs a rubric.")
            .MaximumLength(20_000).WithMessage("A rubric may have at most 20000 characters.");

    private void SpokenRules() =>
        RuleFor(q => q.MaxSeconds).NotNull().WithMessage("A spoken question needs max_seconds, the longest recording allowed.")
            .InclusiveBetween(1, SpokenAnswerLimits.MaxSeconds).WithMessage($"max_seconds must be between 1 and {SpokenAnswerLimits.MaxSeconds}.");

    /// <summary>A reference solution may be as long as a candidate's code answer.</summary>
    public const int MaxSolutionLength = 100_000;

    private void CodeRules()
    {
        RuleFor(q => q.Language).NotEmpty().WithMessage("A code question needs a language.")
            .Must(l => CodeLanguages.All.Contains(l!)).WithMessage($"The language must be one of: {string.Join(", ", CodeLanguages.All)}.");
        RuleFor(q => q.Solution).MaximumLength(MaxSolutionLength).WithMessage($"A solution may have at most {MaxSolutionLength} characters.");
        RuleFor(q => q.Tests).NotEmpty().WithMessage("A code question needs at least one test.")
            .Must(t => t!.Count <= 50).WithMessage("A code question may have at most 50 tests.");
        RuleForEach(q => q.Tests).Cascade(CascadeMode.Continue).NotNull().WithMessage("A test is required here.").SetValidator(new CodeTestRequestValidator());
    }

    /// <summary>A field another kind uses is an error, not silently kept: it would otherwise mean nothing.</summary>
    private void FieldsOfOtherKinds()
    {
        RuleFor(q => q.Options).Null().When(q => !QuestionKinds.IsChoice(q.Kind!))
            .WithMessage("Options are only allowed on single_choice and multiple_choice questions.");
        RuleFor(q => q.Correct).Null().When(q => q.Kind is QuestionKinds.Essay or QuestionKinds.Code or QuestionKinds.Spoken)
            .WithMessage("correct is only allowed on single_choice, multiple_choice and short_text questions.");
        RuleFor(q => q.Rubric).Null().When(q => !QuestionKinds.HasRubric(q.Kind!))
            .WithMessage("A rubric is only allowed on essay and spoken questions.");
        RuleFor(q => q.MaxSeconds).Null().When(q => q.Kind != QuestionKinds.Spoken)
            .WithMessage("max_seconds is only allowed on spoken questions.");
        RuleFor(q => q.Language).Null().When(q => q.Kind != QuestionKinds.Code)
            .WithMessage("A language is only allowed on code questions.");
        RuleFor(q => q.Tests).Null().When(q => q.Kind != QuestionKinds.Code)
            .WithMessage("Tests are only allowed on code questions.");
        RuleFor(q => q.Solution).Null().When(q => q.Kind != QuestionKinds.Code)
            .WithMessage("A solution is only allowed on code questions.");
        RuleFor(q => q.AiFallback).NotEqual(true).When(q => q.Kind != QuestionKinds.ShortText)
            .WithMessage("ai_fallback is only allowed on short_text questions.");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();
}

public sealed class CodeTestRequestValidator : AbstractValidator<CodeTestRequest>
{
    public CodeTestRequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(t => t.Call).NotEmpty().WithMessage("A test needs a call.")
            .MaximumLength(1000).WithMessage("A test call may have at most 1000 characters.");
        RuleFor(t => t.Expected).NotEmpty().WithMessage("A test needs an expected result.")
            .MaximumLength(1000).WithMessage("An expected result may have at most 1000 characters.");
    }
}
