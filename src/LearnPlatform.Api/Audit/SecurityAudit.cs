using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.Audit;

/// <summary>
/// Audit events that belong to no feature's transaction: rejected credentials and refused requests. They are
/// written on their own connection, throttled (<see cref="AuditThrottle"/>), and a failure to write one is logged
/// and never changes the answer the caller gets.
/// </summary>
public sealed partial class SecurityAudit(NpgsqlDataSource dataSource, ClientIpAnonymizer clientIp, TimeProvider time, IConfiguration configuration, ILogger<SecurityAudit> logger)
{
    private readonly AuditThrottle signInFailures = new(time, configuration.GetValue("Audit:SignInFailureKeysPerMinute", 1000));
    private readonly AuditThrottle accessDenied = new(time, configuration.GetValue("Audit:AccessDeniedKeysPerMinute", 1000));

    /// <summary>
    /// A credential was rejected. <paramref name="uid"/> is only given when the token itself was verified (the
    /// failure is then that it names no tenant here); the tenant is never taken from an unverified claim, so a
    /// forged token cannot write into a tenant's trail.
    /// </summary>
    public Task SignInFailedAsync(HttpContext context, string reason, string? uid = null)
    {
        var ip = clientIp.Anonymize(context.Connection.RemoteIpAddress);
        var decision = signInFailures.Admit($"{ip}|{reason}", reason);
        if (decision == ThrottleDecision.Suppress)
        {
            LogSuppressed(logger, AuditActions.SignInFailed, reason);
            return Task.CompletedTask;
        }
        var aggregated = decision == ThrottleDecision.WriteAggregated;
        return WriteAsync(new AuditEvent
        {
            TenantId = null,
            OccurredAt = time.Now(),
            Actor = aggregated ? AuditActions.AnonymousActor : uid ?? AuditActions.AnonymousActor,
            Action = AuditActions.SignInFailed,
            Resource = context.Request.Headers.ContainsKey(CredentialAuthenticationHandler.GuestTokenHeader) ? "credential/guest_token" : "credential/bearer",
            Outcome = AuditOutcomes.Failure,
            ClientIp = aggregated ? null : ip,
            Details = AuditTrail.Serialize(aggregated ? new { reason, aggregated } : new { reason }),
        });
    }

    /// <summary>An authenticated caller of a tenant was refused (403): recorded in that tenant's trail.</summary>
    public Task AccessDeniedAsync(HttpContext context, Caller caller)
    {
        // A group's own route ends in a slash ("/api/v1/members/"); the trail names it as clients call it.
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/') ?? "unmatched";
        var resource = $"route/{context.Request.Method} {route}";
        var decision = accessDenied.Admit($"{caller.TenantId}|{caller.Uid}|{resource}", $"{caller.TenantId}");
        if (decision == ThrottleDecision.Suppress)
        {
            LogSuppressed(logger, AuditActions.AccessDenied, resource);
            return Task.CompletedTask;
        }
        var aggregated = decision == ThrottleDecision.WriteAggregated;
        // Only identifiers from the route, and only those that are UUIDs: nothing a caller typed can reach the trail.
        var ids = context.Request.RouteValues
            .Where(v => Guid.TryParse(v.Value?.ToString(), out _))
            .ToDictionary(v => v.Key, v => v.Value!.ToString());
        return WriteAsync(new AuditEvent
        {
            TenantId = caller.TenantId,
            OccurredAt = time.Now(),
            Actor = aggregated ? "*" : caller.Uid,
            Action = AuditActions.AccessDenied,
            Resource = aggregated ? "route/*" : resource,
            Outcome = AuditOutcomes.Denied,
            ClientIp = aggregated ? null : caller.ClientIp,
            Details = AuditTrail.Serialize(aggregated ? new { aggregated } : new { role = caller.Role, ids }),
        });
    }

    private async Task WriteAsync(AuditEvent e)
    {
        try
        {
            // Its own unit of work, not the request's, and not the request's token: a caller who hangs up must not be
            // able to cancel the record of its refusal.
            await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, e.TenantId);
            db.AuditEvents.Add(e);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            LogWriteFailed(logger, e.Action, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Audit event {Action} not written again this minute ({Key})")]
    private static partial void LogSuppressed(ILogger logger, string action, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit event {Action} could not be written ({Error})")]
    private static partial void LogWriteFailed(ILogger logger, string action, string error);
}

public static class AccessDeniedAudit
{
    /// <summary>Records every 403 a tenant's caller gets, whether from a policy or from an endpoint.</summary>
    public static IApplicationBuilder UseAccessDeniedAudit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status403Forbidden && context.User.HasClaim(c => c.Type == Caller.TenantClaim))
            {
                var audit = context.RequestServices.GetRequiredService<SecurityAudit>();
                await audit.AccessDeniedAsync(context, Caller.From(context.User) with { ClientIp = context.AuditClientIp() });
            }
        });
}
