using FluentValidation;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Mvc;

namespace LearnPlatform.Api.Papers;

/// <summary>Keyset paging for the lists: newest first, `after` is the last id of the previous page.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
}

public sealed record PageQuery([FromQuery] int? Limit, [FromQuery] Guid? After);

/// <summary>GET /papers: a page, optionally of one status.</summary>
public sealed record PaperListQuery([FromQuery] string? Status, [FromQuery] int? Limit, [FromQuery] Guid? After);

public sealed class PageQueryValidator : AbstractValidator<PageQuery>
{
    public PageQueryValidator() => RuleFor(q => q.Limit).PageLimit();
}

public sealed class PaperListQueryValidator : AbstractValidator<PaperListQuery>
{
    public PaperListQueryValidator()
    {
        RuleFor(q => q.Limit).PageLimit();
        RuleFor(q => q.Status).Must(s => s is null or PaperStatus.Draft or PaperStatus.Published).WithMessage("The status must be draft or published.");
    }
}

internal static class PageLimitRule
{
    public static IRuleBuilderOptions<T, int?> PageLimit<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, Paging.MaxLimit).WithMessage($"The limit must be between 1 and {Paging.MaxLimit}.");
}
