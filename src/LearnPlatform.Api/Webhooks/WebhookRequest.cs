using FluentValidation;
using LearnPlatform.Core.Webhooks;

namespace LearnPlatform.Api.Webhooks;

public sealed record WebhookRequest(string? Url, IReadOnlyList<string?>? Events);

/// <summary>The endpoint as created: the only answer that ever holds its secret.</summary>
public sealed record CreatedWebhookResponse(Guid Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

public sealed record WebhookResponse(Guid Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, DateTimeOffset? FailingSince, DateTimeOffset? DisabledAt)
{
    public static WebhookResponse From(WebhookEndpoint endpoint) =>
        new(endpoint.Id, endpoint.Url, endpoint.Events, endpoint.CreatedAt, endpoint.FailingSince, endpoint.DisabledAt);
}

public sealed record WebhookDeliveryResponse(
    Guid Id, string MessageId, string EventType, int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, int DurationMs, bool Succeeded, string? Error)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) =>
        new(d.Id, d.MessageId, d.EventType, d.Attempt, d.AttemptedAt, d.StatusCode, d.DurationMs, d.Succeeded, d.Error);
}

public sealed class WebhookRequestValidator : AbstractValidator<WebhookRequest>
{
    public const int MaxUrlLength = 2000;

    public WebhookRequestValidator(WebhookDestinations destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        RuleLevelCascadeMode = CascadeMode.Stop;
        var schemes = destinations.ChecksEnforced ? "https" : "http or https";

        RuleFor(r => r.Url).NotEmpty().WithMessage("The endpoint's url is required.")
            .MaximumLength(MaxUrlLength).WithMessage($"The url may have at most {MaxUrlLength} characters.")
            .Must(IsHttpUrl).WithMessage($"The url must be an absolute {schemes} URL without user info or fragment.")
            .CustomAsync(async (url, context, ct) =>
            {
                if (await destinations.RefusalAsync(new Uri(url!), ct) is { } refusal)
                {
                    context.AddFailure($"The url is refused: {refusal}");
                }
            });
        RuleFor(r => r.Events).NotEmpty().WithMessage($"At least one event is required, of: {string.Join(", ", WebhookEvents.All)}.")
            .Must(e => e!.Distinct(StringComparer.Ordinal).Count() == e!.Count).WithMessage("The events must all be different.");
        RuleForEach(r => r.Events)
            .Must(e => e is not null && WebhookEvents.All.Contains(e, StringComparer.Ordinal))
            .WithMessage((_, e) => $"'{e}' is not an event; the events are {string.Join(", ", WebhookEvents.All)}.");
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0;
}
