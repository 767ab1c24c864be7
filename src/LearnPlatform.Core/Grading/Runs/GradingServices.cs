using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.EventStore;
using LearnPlatform.Core.Grading.Code;
using LearnPlatform.Core.Lti;
using LearnPlatform.Core.Retention;
using LearnPlatform.Core.Webhooks;
using LearnPlatform.Sandbox.Client;
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
    /// Grading (the AI through the call guard when the tenant has a key, the code sandbox when Sandbox__BaseUrl is set,
    /// the offline grader otherwise) and the workflow types that run it. Every host that starts runs needs this; only
    /// hosts that execute them add <see cref="AddWorkflowWorker"/>.
    /// </summary>
    public static IServiceCollection AddGradingWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<GradingOptions>(configuration.GetSection(GradingOptions.SectionName));
        // AI grading takes the same path as the AI routes: one Gemini client, one call guard, the same caps and spend.
        services.AddAiCalls(configuration);
        var essay = configuration.GetSection($"{GradingOptions.SectionName}:Essay").Get<EssayGraderOptions>() ?? new EssayGraderOptions();
        services.AddSandboxClient(configuration);
        var sandbox = SandboxSettings.IsConfigured(configuration);
        services.AddSingleton(sp => new SessionGrader(
            new EssayGrader(essay, sp.GetRequiredService<ILogger<EssayGrader>>()),
            sandbox ? new CodeGrader(sp.GetRequiredService<SandboxClient>) : null));
        services.AddLtiTool(configuration);
        services.AddWebhookDelivery(configuration);
        services.AddTelemetryStore(configuration);
        services.AddDataRetention(configuration);
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
                    LtiServices.PassbackWorkflowOptions(sp.GetRequiredService<IOptions<LtiOptions>>().Value))
                .RegisterWebhookDelivery(sp)
                .RegisterTelemetryMaintenance(sp)
                .RegisterDataRetention(sp);
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
        // Scheduled runs are started where runs are executed.
        services.AddTelemetryMaintenanceSchedule();
        services.AddDataRetentionSchedule();
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
