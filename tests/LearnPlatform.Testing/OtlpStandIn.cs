using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LearnPlatform.Testing;

/// <summary>
/// A real OTLP/HTTP (protobuf) collector on 127.0.0.1: it accepts POST /v1/traces, /v1/metrics and /v1/logs the way a
/// collector does, keeps every body, and reads the fields the tests check (span and metric names, trace ids) from the
/// protobuf wire format of opentelemetry-proto.
/// </summary>
public sealed class OtlpStandIn : IAsyncDisposable
{
    private static readonly string[] Signals = ["traces", "metrics", "logs"];

    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> received = new();

    private int rejected;

    private OtlpStandIn(WebApplication app) => this.app = app;

    /// <summary>Requests refused for their content type (an exporter speaking something else than OTLP/HTTP protobuf).</summary>
    public int Rejected => Volatile.Read(ref rejected);

    public Uri BaseUrl => new(app.Urls.Single());

    public static async Task<OtlpStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var standIn = new OtlpStandIn(builder.Build());
        // One route per signal: the slim builder has no regex route constraint.
        foreach (var signal in Signals)
        {
            standIn.app.MapPost($"/v1/{signal}", (HttpRequest request) => standIn.ReceiveAsync(signal, request));
        }
        await standIn.app.StartAsync();
        return standIn;
    }

    private async Task<IResult> ReceiveAsync(string signal, HttpRequest request)
    {
        if (request.ContentType != "application/x-protobuf")
        {
            Interlocked.Increment(ref rejected);
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        received.Enqueue((signal, body.ToArray()));
        return Results.Bytes([], "application/x-protobuf");
    }

    /// <summary>The bodies received for one signal (traces, metrics or logs).</summary>
    public IReadOnlyList<byte[]> Bodies(string signal) => [.. received.Where(r => r.Signal == signal).Select(r => r.Body)];

    /// <summary>The signals with <paramref name="text"/> anywhere in a body, as UTF-8 bytes are searched (attributes, names, bodies).</summary>
    public IReadOnlySet<string> SignalsContaining(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return received.Where(r => r.Body.AsSpan().IndexOf(needle) >= 0).Select(r => r.Signal).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Span names with their trace ids: ResourceSpans(1) → ScopeSpans(2) → Span(2) → trace_id(1), name(5).</summary>
    public IReadOnlyList<(string Name, string TraceId)> Spans() =>
        [.. Bodies("traces").SelectMany(b => Messages(b, 1)).SelectMany(r => Messages(r, 2)).SelectMany(s => Messages(s, 2))
            .Select(span => (Name: Strings(span, 5).FirstOrDefault() ?? "", TraceId: Hex(Bytes(span, 1).FirstOrDefault())))];

    /// <summary>Metric names: ResourceMetrics(1) → ScopeMetrics(2) → Metric(2) → name(1).</summary>
    public IReadOnlySet<string> MetricNames() =>
        Bodies("metrics").SelectMany(b => Messages(b, 1)).SelectMany(r => Messages(r, 2)).SelectMany(s => Messages(s, 2))
            .SelectMany(m => Strings(m, 1)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Trace ids of log records: ResourceLogs(1) → ScopeLogs(2) → LogRecord(2) → trace_id(9) (empty outside a span).</summary>
    public IReadOnlyList<string> LogTraceIds() =>
        [.. Bodies("logs").SelectMany(b => Messages(b, 1)).SelectMany(r => Messages(r, 2)).SelectMany(s => Messages(s, 2))
            .Select(record => Hex(Bytes(record, 9).FirstOrDefault()))];

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static List<byte[]> Messages(byte[] message, int field) => Bytes(message, field);

    private static IEnumerable<string> Strings(byte[] message, int field) => Bytes(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b));

    /// <summary>The length-delimited values of <paramref name="field"/> at the top level of one message.</summary>
    private static List<byte[]> Bytes(byte[] message, int field)
    {
        var values = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                values.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return values;
    }

    private static string Hex(byte[]? bytes) => bytes is null || bytes.All(b => b == 0) ? "" : Convert.ToHexStringLower(bytes);
}
