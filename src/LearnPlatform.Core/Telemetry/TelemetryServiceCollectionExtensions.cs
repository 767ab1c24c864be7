using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LearnPlatform.Core.Telemetry;

/// <summary>
/// OTLP traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set. The hosting extensions package does not
/// restore here, so the providers are built directly and owned (disposed) by the container.
/// Only the frameworks' own sources are subscribed; none of them records headers or bodies.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string SourceName = "LearnPlatform";

    public static IServiceCollection AddLearnPlatformTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(SourceName, "Microsoft.AspNetCore", "System.Net.Http", "Npgsql")
            .AddOtlpExporter()
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(SourceName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Npgsql")
            .AddOtlpExporter()
            .Build());
        services.AddHostedService<TelemetryActivation>();
        return services;
    }

    /// <summary>Resolves the providers at start so they begin listening before the first request.</summary>
    private sealed class TelemetryActivation(TracerProvider tracer, MeterProvider meter) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush();
            meter.ForceFlush();
            return Task.CompletedTask;
        }
    }
}
