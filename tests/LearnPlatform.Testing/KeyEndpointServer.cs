using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LearnPlatform.Testing;

// A real HTTP server on 127.0.0.1 standing in for Google's certificate endpoint. Each test takes its own
// endpoint, so request counts never depend on other tests.
public sealed class KeyEndpointServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, KeyEndpoint> _endpoints = new();
    private WebApplication? _app;
    private Uri? _baseAddress;

    public KeyEndpoint AddEndpoint(params TestSigningKey[] keys)
    {
        var id = Guid.NewGuid().ToString("N");
        var endpoint = new KeyEndpoint(new Uri(_baseAddress!, "keys/" + id));
        endpoint.Serve(keys);
        _endpoints[id] = endpoint;
        return endpoint;
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/keys/{id}", (string id, HttpContext context) =>
            _endpoints.TryGetValue(id, out var endpoint) ? endpoint.RespondAsync(context) : Task.CompletedTask);
        await _app.StartAsync();
        _baseAddress = new Uri(_app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}

public sealed class KeyEndpoint(Uri url)
{
    private int _requestCount;
    private volatile string _body = "{}";

    public Uri Url { get; } = url;

    public int RequestCount => Volatile.Read(ref _requestCount);

    public TimeSpan? MaxAge { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ResponseDelay { get; set; }

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public void Serve(params TestSigningKey[] keys) =>
        _body = JsonSerializer.Serialize(keys.ToDictionary(key => key.Kid, key => key.CertificatePem));

    public void ServeRawBody(string body) => _body = body;

    public async Task RespondAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        if (ResponseDelay > TimeSpan.Zero)
            await Task.Delay(ResponseDelay);

        context.Response.StatusCode = StatusCode;
        if (MaxAge is { } maxAge)
            context.Response.Headers.CacheControl = $"public, max-age={(int)maxAge.TotalSeconds}, must-revalidate, no-transform";
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(_body);
    }
}
