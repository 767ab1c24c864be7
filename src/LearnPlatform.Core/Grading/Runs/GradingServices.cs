using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Gemini;
using LearnPlatform.Core.Lti;
using LearnPlatform.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.Grading.Runs;

public static class GradingServices
{
    /// <summary>
    /// Grading (Gemini when a platform key is configured, the offline grader otherwise) and the workflow types that run
    /// it. Every host that starts runs needs this; only hosts that execute them add <see cref="AddWorkflowWorker"/>.
    /// </summary>
    public static IServiceCollection AddGradingWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<GradingOptions>(configuration.GetSection(GradingOptions.SectionName));
        // AI grading counts against the same caps, and adds to the same spend, as the API's AI routes.
        services.AddOptions<AiCapsOptions>().Bind(configuration.GetSection(AiCapsOptions.SectionName));
        services.AddOptions<AiPricesOptions>().Bind(configuration.GetSection(AiPricesOptions.SectionName));
        var gemini = configuration.GetSection(GeminiOptions.SectionName).Get<GeminiOptions>() ?? new GeminiOptions();
        var essay = configuration.GetSection($"{GradingOptions.SectionName}:Essay").Get<EssayGraderOptions>() ?? new EssayGraderOptions();

        // Grading's own long-lived client, built here because the worker host grades too and has no AI routes (the API's
        // routes use the typed client of AddGemini). The pooled-connection lifetime keeps DNS changes visible; the
        // platform key is read at start, so rotating it for grading takes a rolling restart (docs/operations.md).
        services.AddSingleton(sp => new SessionGrader(gemini.HasApiKey
            ? new EssayGrader(
                new GeminiClient(
                    new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
                    gemini,
                    sp.GetRequiredService<ILogger<GeminiClient>>(),
                    sp.GetRequiredService<TimeProvider>()),
                essay,
                sp.GetRequiredService<ILogger<EssayGrader>>())
            : null));
        services.AddLtiTool(configuration);
        services.AddSingleton(sp =>
        {
            // Deadlines start grading runs and saved grades start passback runs, so those activities need a client over
            // the registry being built: built here rather than resolved, which would be a cycle the container cannot untie.
            var registry = new WorkflowRegistry();
            var time = sp.GetRequiredService<TimeProvider>();
            var client = new WorkflowClient(registry, time);
            var deadlines = new DeadlineActivities(sp.GetRequiredService<NpgsqlDataSource>(), client, time);
            return registry
                .Register(GradingRuns.GradeSession, new GradeSessionWorkflow(ActivatorUtilities.CreateInstance<GradingActivities>(sp, client)),
                    sp.GetRequiredService<IOptions<GradingOptions>>().Value.Workflow)
                .Register(GradingRuns.SessionDeadline, new SessionDeadlineWorkflow(deadlines))
                .Register(LtiPassback.WorkflowType, new LtiPassbackWorkflow(sp.GetRequiredService<LtiPassbackActivities>()),
                    LtiServices.PassbackWorkflowOptions(sp.GetRequiredService<IOptions<LtiOptions>>().Value));
        });
        services.AddSingleton(sp => new WorkflowClient(sp.GetRequiredService<WorkflowRegistry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new WorkflowAdmin(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// A worker executing the registered runs (configuration section "Workflows"). The host's shutdown timeout is kept
    /// longer than the worker's grace, so in-flight runs finish or are released before the process exits.
    /// </summary>
    public static IServiceCollection AddWorkflowWorker(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Workflows").Get<WorkflowWorkerOptions>() ?? new WorkflowWorkerOptions();
        services.AddSingleton(sp => new WorkflowWorker(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<WorkflowRegistry>(),
            options,
            sp.GetRequiredService<ILogger<WorkflowWorker>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<DatabaseSchema>().IsCurrentAsync));
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowWorker>());
        services.AddSingleton(sp => new WorkflowQueueMonitor(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<WorkflowQueueMonitor>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowQueueMonitor>());
        services.Configure<HostOptions>(host =>
        {
            var needed = options.ShutdownGrace + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }
}
