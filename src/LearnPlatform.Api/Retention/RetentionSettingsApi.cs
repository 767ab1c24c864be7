using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Retention;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Retention;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RetentionSettingsRequest(int? SessionDays);

/// <param name="SessionDays">Days a graded session is kept after its last grading.</param>
/// <param name="GuestSessionDays">Days a guest session is kept after it started (the service's, not the tenant's).</param>
/// <param name="IsDefault">True while the tenant has not set its own session retention (Retention:SessionDays applies).</param>
public sealed record RetentionSettingsView(int SessionDays, int GuestSessionDays, bool IsDefault);

public sealed class RetentionSettingsRequestValidator : AbstractValidator<RetentionSettingsRequest>
{
    public RetentionSettingsRequestValidator() =>
        RuleFor(r => r.SessionDays).NotNull().InclusiveBetween(30, 3650).WithMessage("session_days is a whole number of days from 30 to 3650.");
}

/// <summary>A tenant's session retention, set by its admins: graded sessions are deleted that many days after grading.</summary>
public static class RetentionSettingsApi
{
    public static IServiceCollection AddRetentionSettings(this IServiceCollection services) =>
        services.AddSingleton<IValidator<RetentionSettingsRequest>, RetentionSettingsRequestValidator>();

    public static void MapRetentionSettings(this ApiRoutes routes)
    {
        routes.Admins.MapGet("/retention/settings", GetAsync);
        routes.Admins.MapPut("/retention/settings", PutAsync);
    }

    private static async Task<Ok<RetentionSettingsView>> GetAsync(Caller caller, LearnPlatformDbContext db, IOptions<DataRetentionOptions> defaults, CancellationToken ct)
    {
        var own = await db.RetentionSettings.Where(s => s.TenantId == caller.TenantId).Select(s => (int?)s.SessionDays).SingleOrDefaultAsync(ct);
        return TypedResults.Ok(new RetentionSettingsView(own ?? defaults.Value.SessionDays, defaults.Value.GuestSessionDays, own is null));
    }

    private static async Task<Ok<RetentionSettingsView>> PutAsync(
        RetentionSettingsRequest request, Caller caller, LearnPlatformDbContext db, IOptions<DataRetentionOptions> defaults, TimeProvider time, CancellationToken ct)
    {
        var days = request.SessionDays!.Value;
        var now = time.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO retention_settings (tenant_id, session_days, updated_at) VALUES ({caller.TenantId}, {days}, {now})
            ON CONFLICT (tenant_id) DO UPDATE SET session_days = EXCLUDED.session_days, updated_at = EXCLUDED.updated_at
            """, ct);
        AuditTrail.Record(db, caller, now, "retention.settings.update", "retention/settings", new { session_days = days });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new RetentionSettingsView(days, defaults.Value.GuestSessionDays, false));
    }
}
