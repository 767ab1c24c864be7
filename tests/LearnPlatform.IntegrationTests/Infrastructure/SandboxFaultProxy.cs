using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using LearnPlatform.Sandbox.Client;
using Microsoft.AspNetCore.Http;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A real HTTP server between the app and the real sandbox: it forwards each run to the sandbox, or fails the runs whose
/// body holds a marker, as scripted (503 busy, or a dropped connection), and records every body it saw. It injects
/// network faults only; every run that goes through is the sandbox's own. Every connection serves one request, so a
/// dropped one is never retried by the client's connection pool and each run the app makes is seen exactly once.
/// </summary>
public sealed class SandboxFaultProxy : IAsyncDisposable
{
    public enum Fault
    {
        Busy,
        Drop,
    }

    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly ConcurrentQueue<string> bodies = new();
    private readonly List<(string Marker, Fault Fault, int Remaining)> faults = [];

    private SandboxFaultProxy(WebApplication app, Uri sandbox)
    {
        this.app = app;
        upstream = new HttpClient { BaseAddress = sandbox, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseUrl => new(app.Urls.Single());

    public static async Task<SandboxFaultProxy> StartAsync(Uri sandbox)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var proxy = new SandboxFaultProxy(builder.Build(), sandbox);
        proxy.app.Run(proxy.HandleAsync);
        await proxy.app.StartAsync();
        return proxy;
    }

    /// <summary>Fails the next <paramref name="times"/> runs whose body contains <paramref name="marker"/>.</summary>
    public void Fail(string marker, Fault fault, int times = int.MaxValue)
    {
        lock (faults)
        {
            faults.Add((marker, fault, times));
        }
    }

    public int RunsWith(string marker) => bodies.Count(b => b.Contains(marker, StringComparison.Ordinal));

    private Fault? NextFault(string body)
    {
        lock (faults)
        {
            var index = faults.FindIndex(f => f.Remaining > 0 && body.Contains(f.Marker, StringComparison.Ordinal));
            if (index < 0)
            {
                return null;
            }
            faults[index] = faults[index] with { Remaining = faults[index].Remaining - 1 };
            return faults[index].Fault;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        bodies.Enqueue(body);
        context.Response.Headers.Connection = "close";
        switch (NextFault(body))
        {
            case Fault.Busy:
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "0";
                return;
            case Fault.Drop:
                context.Abort();
                return;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, context.Request.Path.Value!.TrimStart('/'))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(SandboxClient.SecretHeader, context.Request.Headers[SandboxClient.SecretHeader].ToString());
        using var response = await upstream.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        upstream.Dispose();
        await app.DisposeAsync();
    }
}
