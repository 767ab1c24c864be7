using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Webhooks;

/// <summary>A tenant's admins register the endpoints its events are posted to, and read what their deliveries did.</summary>
public static class WebhooksApi
{
    public const int MaxDeliveriesListed = 500;

    internal static async Task<Results<Created<CreatedWebhookResponse>, ProblemHttpResult>> CreateAsync(
        WebhookRequest body, Caller caller, LearnPlatformDbContext db, WebhookSecrets secrets, TimeProvider time, CancellationToken ct)
    {
        if (!secrets.IsConfigured)
        {
            return TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: "Webhooks are not configured on this service (Webhooks__SecretKey).");
        }
        var now = time.Now();
        var (shown, raw) = WebhookSecrets.Generate();
        var endpoint = new WebhookEndpoint
        {
            TenantId = caller.TenantId,
            Url = body.Url!,
            Events = body.Events!.Select(e => e!).ToArray(),
            SecretCiphertext = [],
            CreatedAt = now,
        };
        endpoint.SecretCiphertext = secrets.Protect(endpoint.Id, raw);
        db.WebhookEndpoints.Add(endpoint);
        // The host only: a receiver's URL may carry its own token in the path or query.
        AuditTrail.Record(db, caller, now, "webhook.create", $"webhook/{endpoint.Id}", new { host = new Uri(endpoint.Url).Host, events = endpoint.Events });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created(ApiRoutes.Location("webhooks", endpoint.Id),
            new CreatedWebhookResponse(endpoint.Id, endpoint.Url, endpoint.Events, shown, endpoint.CreatedAt));
    }

    internal static async Task<Ok<ItemList<WebhookResponse>>> ListAsync(Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.Where(e => e.TenantId == caller.TenantId).OrderBy(e => e.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<WebhookResponse>(endpoints.Select(WebhookResponse.From).ToList()));
    }

    /// <summary>Deletes the endpoint and its delivery attempts; runs still retrying for it find it gone and stop.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await db.WebhookEndpoints.Where(e => e.Id == id && e.TenantId == caller.TenantId).ExecuteDeleteAsync(ct) == 0)
        {
            return Problems.NotFound("The webhook");
        }
        AuditTrail.Record(db, caller, time.Now(), "webhook.delete", $"webhook/{id}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The endpoint's attempts of the last 30 days (Webhooks:DeliveryRetention), newest first, at most 500.</summary>
    internal static async Task<Results<Ok<ItemList<WebhookDeliveryResponse>>, ProblemHttpResult>> DeliveriesAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, IOptions<WebhookOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id && e.TenantId == caller.TenantId, ct))
        {
            return Problems.NotFound("The webhook");
        }
        var since = time.Now() - options.Value.DeliveryRetention;
        var deliveries = await db.WebhookDeliveries
            .Where(d => d.EndpointId == id && d.TenantId == caller.TenantId && d.AttemptedAt >= since)
            .OrderByDescending(d => d.AttemptedAt).ThenByDescending(d => d.Id)
            .Take(MaxDeliveriesListed)
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<WebhookDeliveryResponse>(deliveries.Select(WebhookDeliveryResponse.From).ToList()));
    }
}
