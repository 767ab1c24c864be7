using LearnPlatform.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LearnPlatform.Core.Telemetry;

/// <summary>
/// OpenTelemetry through the hosting extensions and the official instrumentation: traces, metrics and logs (with
/// their trace ids) over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_EXPORTER_OTLP_PROTOCOL: grpc, the
/// default, or http/protobuf), and a Prometheus <c>/metrics</c> on the management port when Telemetry:PrometheusPort
/// is set. JSON console logs in Production. Nothing records headers, bodies or SQL parameters, and query strings are
/// redacted by the instrumentation, so no answer, key or token reaches an attribute.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    private const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";
    private static readonly string[] UnTracedPaths = ["/healthz", "/readyz", "/metrics"];

    public static IServiceCollection AddLearnPlatformTelemetry(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        // ASP.NET Core's "Request starting/finished" lines quote the query string, which can hold a socket ticket or
        // a key a client put there; requests are recorded by spans and http.server.request.duration instead.
        services.AddLogging(logging => logging.AddFilter(RequestLogCategory, LogLevel.Warning));
        if (environment.IsProduction())
        {
            services.AddLogging(logging => logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            }));
        }

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = PrometheusPort(configuration) is not null;
        if (!otlp && !prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    // Rate-limit rejections: aspnetcore.rate_limiting.requests{aspnetcore.rate_limiting.result!="acquired"}.
                    .AddMeter("Microsoft.AspNetCore.RateLimiting", AppTelemetry.Name, WorkflowTelemetry.Name);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http =>
                        !UnTracedPaths.Contains(http.Request.Path.Value, StringComparer.OrdinalIgnoreCase))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddSource(AppTelemetry.Name, WorkflowTelemetry.Name))
                .WithLogging(_ => { }, logging => logging.IncludeFormattedMessage = true)
                .UseOtlpExporter(
                    configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
                    new Uri(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]!));
        }
        return services;
    }

    /// <summary>
    /// Prometheus' <c>GET /metrics</c>, answered only on connections to Telemetry:PrometheusPort (a port the public
    /// Service does not expose). The port the connection arrived on decides, not the Host header a client chooses.
    /// </summary>
    public static void MapLearnPlatformMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (PrometheusPort(app.Configuration) is { } port)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
                http.Connection.LocalPort == port && http.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase));
        }
    }

    private static int? PrometheusPort(IConfiguration configuration) =>
        configuration.GetValue<int?>("Telemetry:PrometheusPort") is > 0 and <= 65535 and var port ? port : null;
}
