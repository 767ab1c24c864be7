using FluentValidation;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;

namespace LearnPlatform.Sandbox.Runs;

internal sealed class RunRequestValidator : AbstractValidator<RunRequest>
{
    public const int MaxCodeChars = 128 * 1024;
    public const int MaxTests = 100;
    public const int MaxTestChars = 2000;

    public RunRequestValidator(RuntimeCatalog runtimes, SandboxOptions options)
    {
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(r => r.Language).NotEmpty().WithMessage("A language is required.")
            .Must(l => runtimes.Languages.Contains(l)).WithMessage(_ => $"The language must be one of: {string.Join(", ", runtimes.Languages)}.");
        RuleFor(r => r.Code).NotNull().WithMessage("The code is required.")
            .MaximumLength(MaxCodeChars).WithMessage($"The code may have at most {MaxCodeChars} characters.");
        RuleFor(r => r.Tests).NotNull().WithMessage("The tests are required (an empty list runs the code alone).")
            .Must(t => t!.Count <= MaxTests).WithMessage($"A run may have at most {MaxTests} tests.");
        RuleForEach(r => r.Tests).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("A test is required here.")
            .Must(t => !string.IsNullOrWhiteSpace(t.Call)).WithMessage("A test needs a call.")
            .Must(t => t.Call!.Length <= MaxTestChars).WithMessage($"A test call may have at most {MaxTestChars} characters.")
            .Must(t => t.Expected is not null).WithMessage("A test needs an expected value.")
            .Must(t => t.Expected!.Length <= MaxTestChars).WithMessage($"An expected value may have at most {MaxTestChars} characters.");
        RuleFor(r => r.Limits!.TimeMs).InclusiveBetween(1, SandboxOptions.MaxTimeMs)
            .When(r => r.Limits?.TimeMs is not null)
            .WithMessage($"limits.time_ms must be between 1 and {SandboxOptions.MaxTimeMs}.");
        RuleFor(r => r.Limits!.MemoryMb).InclusiveBetween(SandboxOptions.MinMemoryMb, options.MaxMemoryMb)
            .When(r => r.Limits?.MemoryMb is not null)
            .WithMessage($"limits.memory_mb must be between {SandboxOptions.MinMemoryMb} and {options.MaxMemoryMb}.");
    }
}
