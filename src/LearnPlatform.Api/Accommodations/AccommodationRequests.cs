using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace LearnPlatform.Api.Accommodations;

/// <summary>PUT /accommodations/{candidate_uid}: the key from the route, the extra time from the body.</summary>
public sealed record SetAccommodationCall([FromRoute] string CandidateUid, [FromBody] SetAccommodationBody Body);

/// <summary>Numbers must be JSON numbers: "1.5" in quotes is a wrong type, whatever the web defaults allow.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
public sealed record SetAccommodationBody(Guid? PaperId, decimal? TimeMultiplier, int? ExtraMinutes);

/// <summary>DELETE /accommodations/{candidate_uid}?paper_id=: no paper_id names the tenant-wide one.</summary>
public sealed record RemoveAccommodationCall([FromRoute] string CandidateUid, [FromQuery(Name = "paper_id")] Guid? PaperId);

public sealed record AccommodationQuery([FromQuery(Name = "candidate_id")] string? CandidateId, [FromQuery(Name = "paper_id")] Guid? PaperId);

public static class AccommodationLimits
{
    public const int MaxCandidateUidLength = 128;
    public const decimal MinMultiplier = 1m;
    public const decimal MaxMultiplier = 4m;
    public const int MaxExtraMinutes = 1440;
}

public sealed class SetAccommodationCallValidator : AbstractValidator<SetAccommodationCall>
{
    private const string NoExtraTime = "Give time_multiplier above 1 or extra_minutes above 0 (or both); to remove an accommodation, DELETE it.";

    public SetAccommodationCallValidator()
    {
        RuleFor(c => c.CandidateUid).CandidateUid();
        // An empty body binds as null here even though the type says otherwise; it is refused before the handler sees it.
        RuleFor(c => c.Body).NotNull().WithMessage("A JSON body is required.");
        When(c => c.Body is not null, () =>
        {
            RuleFor(c => c.Body.TimeMultiplier)
                .InclusiveBetween(AccommodationLimits.MinMultiplier, AccommodationLimits.MaxMultiplier)
                .WithMessage("time_multiplier must be between 1.0 and 4.0.")
                .Must(m => m is not { } value || decimal.Round(value, 2) == value)
                .WithMessage("time_multiplier has at most two decimal places.");
            RuleFor(c => c.Body.ExtraMinutes)
                .InclusiveBetween(0, AccommodationLimits.MaxExtraMinutes)
                .WithMessage("extra_minutes must be between 0 and 1440.");
            // Reported on both fields (either one fixes it), and only once both are in range, so a bad value gets one message.
            RuleFor(c => c.Body.TimeMultiplier).Must((c, _) => HasExtraTime(c.Body)).When(c => InRange(c.Body)).WithMessage(NoExtraTime);
            RuleFor(c => c.Body.ExtraMinutes).Must((c, _) => HasExtraTime(c.Body)).When(c => InRange(c.Body)).WithMessage(NoExtraTime);
        });
    }

    private static bool HasExtraTime(SetAccommodationBody body) => (body.TimeMultiplier ?? 1m) > 1m || (body.ExtraMinutes ?? 0) > 0;

    private static bool InRange(SetAccommodationBody body) =>
        (body.TimeMultiplier is null or (>= AccommodationLimits.MinMultiplier and <= AccommodationLimits.MaxMultiplier))
        && (body.ExtraMinutes is null or (>= 0 and <= AccommodationLimits.MaxExtraMinutes));
}

public sealed class RemoveAccommodationCallValidator : AbstractValidator<RemoveAccommodationCall>
{
    public RemoveAccommodationCallValidator() => RuleFor(c => c.CandidateUid).CandidateUid();
}

public sealed class AccommodationQueryValidator : AbstractValidator<AccommodationQuery>
{
    public AccommodationQueryValidator() =>
        RuleFor(q => q.CandidateId)
            .MaximumLength(AccommodationLimits.MaxCandidateUidLength)
            .WithMessage("candidate_id is at most 128 characters.");
}

internal static class CandidateUidRule
{
    public static IRuleBuilderOptions<T, string> CandidateUid<T>(this IRuleBuilder<T, string> rule) =>
        rule.Length(1, AccommodationLimits.MaxCandidateUidLength)
            .OverridePropertyName("candidate_uid")
            .WithMessage("candidate_uid is 1 to 128 characters.");
}
