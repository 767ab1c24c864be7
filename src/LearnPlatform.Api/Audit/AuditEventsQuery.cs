using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;
using LearnPlatform.Api.Http;
using Microsoft.AspNetCore.Mvc;

namespace LearnPlatform.Api.Audit;

/// <summary>GET /audit-events filters, as text, so every bad one is named in one 400.</summary>
public sealed record AuditEventsQuery(
    [FromQuery] string? Action,
    [FromQuery] string? Actor,
    [FromQuery] string? Resource,
    [FromQuery] string? Outcome,
    [FromQuery] string? From,
    [FromQuery] string? To,
    [FromQuery] string? Limit,
    [FromQuery] string? Cursor);

/// <summary>Every bad filter is named in the one 400, as <see cref="AuditEventsQueryParser"/> finds them.</summary>
public sealed class AuditEventsQueryValidator : AbstractValidator<AuditEventsQuery>
{
    public AuditEventsQueryValidator() =>
        RuleFor(q => q).Custom((query, context) =>
        {
            AuditEventsQueryParser.Parse(query, out var errors);
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    context.AddFailure(field, message);
                }
            }
        });
}

/// <summary>The filters once they are known to be good.</summary>
public sealed record AuditFilter(
    string? Action, string? Actor, string? Resource, string? Outcome,
    DateTimeOffset? From, DateTimeOffset? To, int Limit, (DateTimeOffset At, Guid Id)? After);

public static partial class AuditEventsQueryParser
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxTextLength = 300;
    private const string CursorKind = "audit";

    public static string CursorAfter(DateTimeOffset at, Guid id) =>
        OpaqueCursor.Encode(CursorKind, $"{(at - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond}.{id:N}");

    public static AuditFilter Parse(AuditEventsQuery q, out Dictionary<string, string[]> errors)
    {
        var found = new Dictionary<string, string[]>();
        Text("action", q.Action);
        Text("actor", q.Actor);
        Text("resource", q.Resource);
        if (q.Outcome is not null && !OutcomePattern().IsMatch(q.Outcome))
        {
            found["outcome"] = ["outcome is a word such as success, failure or denied."];
        }
        var from = Time("from", q.From);
        var to = Time("to", q.To);
        if (from is { } f && to is { } t && f > t)
        {
            found["to"] = ["to must not be before from."];
        }
        var limit = DefaultLimit;
        if (q.Limit is not null && (!int.TryParse(q.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            found["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }
        (DateTimeOffset, Guid)? after = null;
        if (q.Cursor is not null)
        {
            after = DecodeCursor(q.Cursor);
            if (after is null)
            {
                found["cursor"] = ["cursor must be a next_cursor value returned by this list."];
            }
        }
        errors = found;
        return new AuditFilter(q.Action, q.Actor, q.Resource, q.Outcome, from, to, limit, after);

        void Text(string name, string? value)
        {
            if (value is not null && (value.Length is 0 or > MaxTextLength))
            {
                found[name] = [$"{name} is 1 to {MaxTextLength} characters."];
            }
        }

        DateTimeOffset? Time(string name, string? value)
        {
            if (value is null)
            {
                return null;
            }
            if (Rfc3339Pattern().IsMatch(value)
                && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return parsed;
            }
            found[name] = [$"{name} must be an RFC 3339 time with a UTC offset, e.g. 2026-11-22T10:00:00Z."];
            return null;
        }
    }

    private static (DateTimeOffset, Guid)? DecodeCursor(string cursor)
    {
        var position = OpaqueCursor.Decode(CursorKind, cursor)?.Split('.');
        return position is [var micros, var id]
            && long.TryParse(micros, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var us)
            && us is > 0 and < 253402300799000000
            && Guid.TryParseExact(id, "N", out var guid)
                ? (DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond), guid)
                : null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339Pattern();

    [GeneratedRegex("^[a-z_]{1,32}$")]
    private static partial Regex OutcomePattern();
}
