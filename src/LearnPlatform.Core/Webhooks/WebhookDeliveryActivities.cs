using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.Webhooks;

/// <summary>
/// One attempt of <see cref="WebhookDeliveryWorkflow"/>: signs and posts the message, records the attempt, and keeps
/// the endpoint's failure streak (disabling it, audited, once it has failed for <see cref="WebhookOptions.DisableAfter"/>).
/// </summary>
public sealed partial class WebhookDeliveryActivities(
    NpgsqlDataSource dataSource,
    HttpClient http,
    WebhookSecrets secrets,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryActivities> logger)
{
    public const string UserAgent = "LearnPlatform-Webhooks/1";
    private const int MaxErrorLength = 500;
    private readonly WebhookOptions settings = options.Value;

    public async Task<WebhookAttempt> AttemptAsync(ActivityContext activity, WebhookDeliveryInput input, int attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(input);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == input.EndpointId, ct);
        var now = time.Now();
        if (endpoint is null || endpoint.DisabledAt is not null)
        {
            return new WebhookAttempt(true, now, 0);
        }
        byte[] secret;
        try
        {
            secret = secrets.Unprotect(endpoint.Id, endpoint.SecretCiphertext);
        }
        catch (WebhookConfigurationException e)
        {
            // Without the key nothing can be signed: the run is parked for an operator (runs retry, once configured).
            throw new NonRetryableActivityException(e.Message, e);
        }

        var started = time.GetTimestamp();
        var (status, error) = await SendAsync(endpoint.Url, input, secret, now, ct);
        var delivery = new WebhookDelivery
        {
            TenantId = endpoint.TenantId,
            EndpointId = endpoint.Id,
            MessageId = input.MessageId,
            EventType = input.Message.Type,
            Attempt = attempt,
            AttemptedAt = now,
            StatusCode = status,
            DurationMs = (int)Math.Min(int.MaxValue, time.GetElapsedTime(started).TotalMilliseconds),
            Succeeded = status is >= 200 and < 300,
            Error = error,
        };
        var disabled = await RecordAsync(db, endpoint, delivery, ct);
        if (delivery.Succeeded)
        {
            LogDelivered(logger, input.MessageId, endpoint.Id, attempt, status!.Value);
        }
        else
        {
            LogFailed(logger, input.MessageId, endpoint.Id, attempt, status, error);
        }
        return new WebhookAttempt(delivery.Succeeded || disabled, now, Random.Shared.NextDouble());
    }

    private async Task<(int? Status, string? Error)> SendAsync(string url, WebhookDeliveryInput input, byte[] secret, DateTimeOffset now, CancellationToken ct)
    {
        var body = input.Message.ToBody();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", input.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSecrets.Sign(secret, input.MessageId, timestamp, body));
        request.Headers.UserAgent.ParseAdd(UserAgent);

        // One deadline for connecting, sending and reading what is read of the answer.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await DrainAsync(response, timeout.Token);
            var status = (int)response.StatusCode;
            return (status, status is >= 300 and < 400 ? "redirects are not followed; register the final URL" : null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"timed out after {settings.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return (null, Describe(e));
        }
    }

    /// <summary>Reads at most <see cref="WebhookOptions.MaxResponseBytes"/> of the answer, so the connection can be reused; the rest is dropped with it.</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[8192];
        var total = 0;
        int read;
        while (total < WebhookOptions.MaxResponseBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, WebhookOptions.MaxResponseBytes - total)), ct)) > 0)
        {
            total += read;
        }
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookDestinationRefusedException refused)
            {
                return "refused: " + refused.Message;
            }
        }
        var message = $"{e.HttpRequestError}: {e.Message}";
        return message.Length <= MaxErrorLength ? message : message[..MaxErrorLength];
    }

    /// <returns>Whether this attempt disabled the endpoint.</returns>
    private async Task<bool> RecordAsync(LearnPlatformDbContext db, WebhookEndpoint endpoint, WebhookDelivery delivery, CancellationToken ct)
    {
        var now = delivery.AttemptedAt;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        var disabled = false;
        if (delivery.Succeeded)
        {
            await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, (DateTimeOffset?)null), ct);
        }
        else
        {
            await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, e => e.FailingSince ?? now), ct);
            var failingBefore = now - settings.DisableAfter;
            // In the UPDATE itself, so of two runs failing at once exactly one disables and audits.
            disabled = await db.WebhookEndpoints
                .Where(e => e.Id == endpoint.Id && e.DisabledAt == null && e.FailingSince <= failingBefore)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.DisabledAt, now), ct) == 1;
            if (disabled)
            {
                db.AuditEvents.Add(new AuditEvent
                {
                    TenantId = endpoint.TenantId,
                    OccurredAt = now,
                    Actor = "system",
                    Action = "webhook.disable",
                    Resource = $"webhook/{endpoint.Id}",
                    Outcome = "success",
                    Details = JsonSerializer.Serialize(new { reason = "failing", failing_for_days = settings.DisableAfter.TotalDays, status_code = delivery.StatusCode, error = delivery.Error }, JsonColumn.Options),
                });
                await db.SaveChangesAsync(ct);
                LogDisabled(logger, endpoint.Id);
            }
        }
        var expired = now - settings.DeliveryRetention;
        await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id && d.AttemptedAt < expired).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return disabled;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered webhook message {MessageId} to endpoint {EndpointId} on attempt {Attempt} ({Status})")]
    private static partial void LogDelivered(ILogger logger, string messageId, Guid endpointId, int attempt, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook message {MessageId} to endpoint {EndpointId} failed on attempt {Attempt} ({Status}): {Error}")]
    private static partial void LogFailed(ILogger logger, string messageId, Guid endpointId, int attempt, int? status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disabled webhook endpoint {EndpointId}: its deliveries have failed for too long")]
    private static partial void LogDisabled(ILogger logger, Guid endpointId);
}
