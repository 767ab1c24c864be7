using System.Text.Json;
using System.Text.Json.Serialization;
using LearnPlatform.Core.Health;
using LearnPlatform.Api.Accommodations;
using LearnPlatform.Api.Analysis;
using LearnPlatform.Api.ApiDocument;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Ai;
using LearnPlatform.Api.CodeRuns;
using LearnPlatform.Api.Grading;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Identity.Firebase;
using LearnPlatform.Api.Lti;
using LearnPlatform.Api.Members;
using LearnPlatform.Api.Papers;
using LearnPlatform.Api.Privacy;
using LearnPlatform.Api.Qti;
using LearnPlatform.Api.Retention;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Api.SpokenAnswers;
using LearnPlatform.Api.Webhooks;
using LearnPlatform.Api.Telemetry;
using LearnPlatform.Core.Audit;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api;

/// <summary>The API's services and pipeline; Program.cs and the integration tests both build it.</summary>
public static class LearnPlatformApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupException("ConnectionStrings__Postgres is not set.");
        }

        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        services.AddClientAddress(configuration);
        services.AddOriginPolicy(configuration, builder.Environment);
        services.AddRequestLimits(configuration, builder.WebHost);
        services.AddLearnPlatformData(connectionString);
        services.AddLearnPlatformTelemetry(configuration, builder.Environment, "learnplatform-api");
        services.AddFirebaseTokenVerification(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<GuestTokenOptions>(configuration.GetSection("GuestTokens"));
        services.AddSingleton<CredentialLookups>();
        services.AddSingleton<GuestTokens>();
        var membershipCache = TenantMembershipLookup.LifetimeFrom(configuration);
        services.AddSingleton(sp => new TenantMembershipLookup(sp.GetRequiredService<CredentialLookups>(), membershipCache));
        services.AddLearnPlatformRateLimits(configuration);
        services.AddPapers();
        services.AddSessions(configuration);
        services.AddAccommodations();
        services.AddGrading();
        services.AddItemAnalysis();
        services.AddAudit(configuration);
        services.AddMembers();
        services.AddPrivacy();
        services.AddAi(configuration);
        services.AddCodeRuns(configuration);
        services.AddLti();
        services.AddQti();
        services.AddWebhooks();
        services.AddTelemetry(configuration);
        services.AddRetentionSettings();
        services.AddGradingWorkflows(configuration);
        if (configuration.GetValue("Background:RunInApi", true))
        {
            services.AddWorkflowWorker(configuration);
            services.AddAuditRetention(configuration);
        }
        services.AddApiDocument();
        services.AddOutputCache();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => "This address does not accept that method.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
                _ => null,
            });
        services.AddExceptionHandler<BadRequestHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        ValidationFilter.UseSnakeCasePropertyNames();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        });
        services.AddAuthentication(CredentialAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CredentialAuthenticationHandler>(CredentialAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddLearnPlatformPolicies();

        var app = builder.Build();
        try
        {
            _ = app.Services.GetRequiredService<IOptions<FirebaseOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new StartupException(e.Message);
        }
        LtiFeature.CheckConfiguration(app.Services);
        WebhooksFeature.CheckConfiguration(app.Services);

        // The edge (docs/security.md): the client's address first, headers on every answer, then errors, limits, origins.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders(app.Environment);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.UseOriginPolicy();
        app.UseAuthentication();
        app.UseAccessDeniedAudit();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseOutputCache();
        app.UseWebSockets();

        app.MapHealth();
        app.MapLearnPlatformMetrics();
        app.MapApiDocument();
        app.MapLtiTool();
        var api = ApiRoutes.Map(app);
        api.MapMe();
        api.MapPapers();
        api.MapSessions();
        api.MapGuestSessions();
        api.MapAccommodations();
        api.MapGrading();
        api.MapItemAnalysis();
        api.MapMembers();
        api.MapAuditEvents();
        api.MapPrivacy();
        api.MapAi();
        api.MapCodeRuns();
        api.MapSpokenAnswers();
        api.MapLti();
        api.MapQti();
        api.MapWebhooks();
        api.MapTelemetry();
        api.MapRetentionSettings();
        return app;
    }
}

public sealed class StartupException(string message) : Exception(message);
