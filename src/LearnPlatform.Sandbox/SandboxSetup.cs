using System.Text.Json;
using FluentValidation;
using LearnPlatform.Sandbox.Access;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Health;
using LearnPlatform.Sandbox.Isolation;
using LearnPlatform.Sandbox.Runs;

namespace LearnPlatform.Sandbox;

internal static class SandboxSetup
{
    /// <summary>Why the service must not start, in one line, or null.</summary>
    public static string? Problem(SandboxOptions options) =>
        SharedSecret.Problem(options)
        ?? (options.Isolation is not (IsolationBackends.Bubblewrap or IsolationBackends.Gvisor)
            ? $"Sandbox__Isolation={options.Isolation} is not a backend: use {IsolationBackends.Bubblewrap} or {IsolationBackends.Gvisor}." : null)
        ?? (options.MaxConcurrentRuns < 1 || options.QueueLimit < 0 || options.RetryAfterSeconds < 1 || options.WarmRuns < 0
            ? "Sandbox__MaxConcurrentRuns and Sandbox__RetryAfterSeconds must be at least 1, Sandbox__QueueLimit and Sandbox__WarmRuns at least 0." : null)
        ?? (options.MaxMemoryMb < SandboxOptions.DefaultMemoryMb || options.MaxProcesses < 8 || options.MaxFileBytes < 1 || options.TmpfsBytes < 4096
            || options.OutputLimitBytes < RunResult.MaxOutputChars || options.MaxRequestBodyBytes < 1024
            ? $"Sandbox limits out of range: MaxMemoryMb at least {SandboxOptions.DefaultMemoryMb}, MaxProcesses at least 8, OutputLimitBytes at least {RunResult.MaxOutputChars}, TmpfsBytes at least 4096, MaxRequestBodyBytes at least 1024." : null);

    public static IServiceCollection AddSandbox(this IServiceCollection services, SandboxOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(provider => SharedSecret.Create(options, provider.GetRequiredService<ILogger<SharedSecret>>()));
        services.AddSingleton<RuntimeCatalog>();
        services.AddSingleton<RunCgroups>();
        services.AddSingleton<IIsolationBackend>(provider => options.Isolation == IsolationBackends.Gvisor
            ? new GvisorBackend(options)
            : new BubblewrapBackend(options, provider.GetRequiredService<RunCgroups>()));
        services.AddSingleton<SandboxLauncher>();
        services.AddSingleton<SandboxPool>();
        services.AddHostedService(provider => provider.GetRequiredService<SandboxPool>());
        services.AddSingleton<CodeRunner>();
        services.AddSingleton<RunSlots>();
        services.AddSingleton<RunRequestValidator>();
        services.AddSingleton<ReadinessProbe>();

        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, SandboxJson.Default);
        });
        ValidatorOptions.Global.PropertyNameResolver = (_, member, expression) =>
            expression is not null
                ? string.Join('.', FluentValidation.Internal.PropertyChain.FromExpression(expression).ToString().Split('.').Select(JsonNamingPolicy.SnakeCaseLower.ConvertName))
                : member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        return services;
    }

    public static void LogStartup(this ILogger logger, IServiceProvider services, SandboxOptions options)
    {
        var backend = services.GetRequiredService<IIsolationBackend>();
        var cgroups = services.GetRequiredService<RunCgroups>();
        var perRun = backend is BubblewrapBackend
            ? (cgroups.Unavailable is { } why ? $"none ({why})" : "memory and pids (v1)")
              + (BubblewrapBackend.CanBlockNestedUserNamespaces ? "; user namespaces inside runs: blocked" : "; user namespaces inside runs: not blocked (read-only /proc/sys)")
            : "none (gVisor)";
        SandboxLog.Started(logger, backend.Name, options.MaxConcurrentRuns, options.QueueLimit, options.WarmRunsPerLanguage, perRun);
        if (backend.Unusable() is { } reason)
        {
            SandboxLog.NotReady(logger, $"{backend.Name}: {reason}");
        }
    }
}
