using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.EventStore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Telemetry;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TelemetrySettingsRequest(int? RetentionDays);

/// <param name="IsDefault">True while the tenant has not set its own retention (the service's Telemetry:RetentionDays applies).</param>
public sealed record TelemetrySettingsView(int RetentionDays, bool IsDefault);

public sealed class TelemetrySettingsRequestValidator : AbstractValidator<TelemetrySettingsRequest>
{
    public TelemetrySettingsRequestValidator() =>
        RuleFor(r => r.RetentionDays).NotNull().InclusiveBetween(1, 365).WithMessage("retention_days is a whole number of days from 1 to 365.");
}

/// <summary>A tenant's telemetry retention, set by its admins: events of sessions started longer ago than that are deleted.</summary>
public static class TelemetrySettingsApi
{
    public static void MapTelemetrySettings(this ApiRoutes routes)
    {
        routes.Admins.MapGet("/telemetry/settings", GetAsync);
        routes.Admins.MapPut("/telemetry/settings", PutAsync);
    }

    private static async Task<Ok<TelemetrySettingsView>> GetAsync(Caller caller, LearnPlatformDbContext db, IOptions<TelemetryStoreOptions> defaults, CancellationToken ct)
    {
        var own = await db.TelemetrySettings.Where(s => s.TenantId == caller.TenantId).Select(s => (int?)s.RetentionDays).SingleOrDefaultAsync(ct);
        return TypedResults.Ok(new TelemetrySettingsView(own ?? defaults.Value.RetentionDays, own is null));
    }

    private static async Task<Ok<TelemetrySettingsView>> PutAsync(
        TelemetrySettingsRequest request, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var days = request.RetentionDays!.Value;
        var now = time.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO telemetry_settings (tenant_id, retention_days, updated_at) VALUES ({caller.TenantId}, {days}, {now})
            ON CONFLICT (tenant_id) DO UPDATE SET retention_days = EXCLUDED.retention_days, updated_at = EXCLUDED.updated_at
            """, ct);
        AuditTrail.Record(db, caller, now, "telemetry.settings.update", "telemetry/settings", new { retention_days = days });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new TelemetrySettingsView(days, false));
    }
}
