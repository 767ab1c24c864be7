using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>
/// A webhook consumer on 127.0.0.1. Each path is one endpoint: it verifies every request with the Standard Webhooks
/// algorithm (written here from the spec, not the service's code), records it, and answers as the test scripted.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> secrets = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Reply>> scripts = new();

    private WebhookReceiver(WebApplication app) => this.app = app;

    public Uri BaseUri { get; private set; } = null!;
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Requests to paths that are not webhook endpoints (where a redirect pointed).</summary>
    public ConcurrentQueue<string> Strays { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", receiver.ReceiveAsync);
        app.MapFallback((HttpContext context) =>
        {
            receiver.Strays.Enqueue(context.Request.Path);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseUri = new Uri(app.Urls.Single() + "/");
        return receiver;
    }

    public string Url(string name) => new Uri(BaseUri, $"hooks/{name}").ToString();

    /// <summary>Verifies the endpoint's requests with this secret from now on (the one the 201 showed).</summary>
    public void Expect(string name, string secret) => secrets[name] = secret;

    /// <summary>The endpoint's next answers, in order; 200 once they are used up.</summary>
    public void Script(string name, params Reply[] replies) => scripts[name] = new ConcurrentQueue<Reply>(replies);

    public IReadOnlyList<ReceivedWebhook> For(string name) => Received.Where(r => r.Endpoint == name).ToList();

    private async Task<IResult> ReceiveAsync(string name, HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers;
        var id = headers["webhook-id"].ToString();
        var timestamp = headers["webhook-timestamp"].ToString();
        var verified = secrets.TryGetValue(name, out var secret) && Verify(secret, id, timestamp, body, headers["webhook-signature"].ToString());
        Received.Enqueue(new ReceivedWebhook(name, id, timestamp, verified, JsonDocument.Parse(body).RootElement.Clone(), context.Request.ContentType));
        var reply = scripts.TryGetValue(name, out var script) && script.TryDequeue(out var next) ? next : new Reply(200);
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay);
        }
        if (reply.Location is not null)
        {
            context.Response.Headers.Location = reply.Location;
        }
        return reply.BodyBytes > 0 ? Results.Bytes(new byte[reply.BodyBytes], "application/octet-stream") : Results.StatusCode(reply.Status);
    }

    /// <summary>The spec's verification: HMAC-SHA256 keyed by the base64 after <c>whsec_</c>, over <c>{id}.{timestamp}.{body}</c>, any listed v1 signature, constant time.</summary>
    public static bool Verify(string secret, string id, string timestamp, byte[] body, string signatureHeader)
    {
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal) || id.Length == 0 || !long.TryParse(timestamp, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body];
        var expected = HMACSHA256.HashData(key, signed);
        foreach (var signature in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = signature.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(parts[1])))
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <param name="BodyBytes">A 200 with this many bytes of body.</param>
public sealed record Reply(int Status, TimeSpan Delay = default, string? Location = null, int BodyBytes = 0);

public sealed record ReceivedWebhook(string Endpoint, string Id, string Timestamp, bool Verified, JsonElement Body, string? ContentType);
