using FluentValidation;
using LearnPlatform.Api.Privacy;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Mvc;

namespace LearnPlatform.Api.Members;

public sealed record MemberView(string Uid, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record MemberPage(IReadOnlyList<MemberView> Items, string? NextCursor);

/// <summary>PUT /members/{uid}: the member from the route, the role from the body.</summary>
public sealed record SetRoleCall([FromRoute] string Uid, [FromBody] SetRoleBody Body);

public sealed record SetRoleBody(string? Role);

public sealed record RemoveMemberCall([FromRoute] string Uid);

/// <summary>Query values arrive as text so that every bad one is named in the 400, not just the first that fails to bind.</summary>
public sealed record MemberQuery([FromQuery] string? Role, [FromQuery] string? Limit, [FromQuery] string? Cursor);

public static class MemberLimits
{
    public const int MaxUidLength = 128;
    public const int DefaultPage = 50;
    public const int MaxPage = 200;
    public const string CursorKind = "members";
}

public sealed class SetRoleCallValidator : AbstractValidator<SetRoleCall>
{
    public SetRoleCallValidator()
    {
        RuleFor(c => c.Uid).MemberUid().NotReserved();
        RuleFor(c => c.Body).NotNull().WithMessage("A JSON body is required.");
        RuleFor(c => c.Body.Role).Must(Roles.IsValid).When(c => c.Body is not null)
            .OverridePropertyName("role").WithMessage("role must be candidate, author or admin.");
    }
}

public sealed class RemoveMemberCallValidator : AbstractValidator<RemoveMemberCall>
{
    public RemoveMemberCallValidator() => RuleFor(c => c.Uid).MemberUid();
}

public sealed class MemberQueryValidator : AbstractValidator<MemberQuery>
{
    public MemberQueryValidator()
    {
        RuleFor(q => q.Role).Must(Roles.IsValid).When(q => q.Role is not null).WithMessage("role must be candidate, author or admin.");
        RuleFor(q => q.Limit).Must(l => int.TryParse(l, out var n) && n is >= 1 and <= MemberLimits.MaxPage).When(q => q.Limit is not null)
            .WithMessage($"limit must be a whole number from 1 to {MemberLimits.MaxPage}.");
        RuleFor(q => q.Cursor).Must(c => Http.OpaqueCursor.Decode(MemberLimits.CursorKind, c!) is not null).When(q => q.Cursor is not null)
            .WithMessage("cursor must be a next_cursor value returned by this list.");
    }
}

internal static class MemberUidRule
{
    public static IRuleBuilderOptions<T, string> MemberUid<T>(this IRuleBuilder<T, string> rule) =>
        rule.Length(1, MemberLimits.MaxUidLength).OverridePropertyName("uid").WithMessage("uid is 1 to 128 characters.");

    /// <summary>
    /// A role is never given to a name that means no user (<see cref="UserData.IsNotAUser"/>): the audit trail's actors,
    /// role names, guests' and erased users' identities. Removing is not held to it, so a row from before the rule can go.
    /// </summary>
    public static IRuleBuilderOptions<T, string> NotReserved<T>(this IRuleBuilderOptions<T, string> rule) =>
        rule.Must(uid => !UserData.IsNotAUser(uid)).WithMessage(ReservedUidMessage);

    public const string ReservedUidMessage =
        "uid is reserved: system, operator, anonymous, *, role names, guest and names starting with guest: or erased: are not users.";
}
