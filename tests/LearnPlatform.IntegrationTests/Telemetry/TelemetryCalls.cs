using System.Net.WebSockets;
using System.Text;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>The telemetry routes and socket as a browser uses them, through a real WebSocket client.</summary>
public static class TelemetryCalls
{
    public static Task<HttpResponseMessage> PostTicketAsync(this HttpClient client, Guid session) =>
        client.PostAsync($"/api/v1/sessions/{session}/telemetry-ticket", null);

    public static async Task<string> TicketAsync(this HttpClient client, Guid session)
    {
        using var response = await client.PostTicketAsync(session);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
    }

    public static Uri SocketUri(this TestApp app, Guid session, string? ticket) =>
        new($"ws://{app.BaseAddress.Authority}/api/v1/sessions/{session}/telemetry{(ticket is null ? "" : "?ticket=" + Uri.EscapeDataString(ticket))}");

    /// <summary>A ticket and an open socket for the caller's session.</summary>
    public static async Task<TelemetryClient> OpenTelemetryAsync(this TestApp app, HttpClient client, Guid session, string? origin = null) =>
        await app.ConnectAsync(session, await client.TicketAsync(session), origin);

    public static async Task<TelemetryClient> ConnectAsync(this TestApp app, Guid session, string? ticket, string? origin = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(app.SocketUri(session, ticket), timeout.Token);
        return new TelemetryClient(socket);
    }

    /// <summary>A handshake the server refuses: its status and headers, as the client sees them.</summary>
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>> Headers)> RefusedHandshakeAsync(
        this TestApp app, Guid session, string? ticket, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(app.SocketUri(session, ticket), timeout.Token));
        return (socket.HttpStatusCode, socket.HttpResponseHeaders ?? new Dictionary<string, IEnumerable<string>>());
    }

    public static object Event(string type, DateTimeOffset? at = null, string? questionId = null, object? data = null) =>
        new Dictionary<string, object?> { ["type"] = type, ["at"] = (at ?? DateTimeOffset.UtcNow).ToString("O"), ["question_id"] = questionId, ["data"] = data }
            .Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);

    public static Task<long> EventCountAsync(this TestApp app, Guid session, string? type = null) =>
        app.CountAsync("SELECT count(*) FROM telemetry_events WHERE session_id = @s AND (@type = '' OR type = @type)", ("s", session), ("type", type ?? ""));
}

/// <summary>A browser's side of the telemetry socket.</summary>
public sealed class TelemetryClient(ClientWebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public WebSocketState State => socket.State;

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendJsonAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendBatchAsync(long seq, params object[] events) => SendJsonAsync(new { seq, events });

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(Wait);
        await socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame from the server that is not a heartbeat.</summary>
    public async Task<JsonElement> ReceiveAsync(bool skipHeartbeats = true)
    {
        while (true)
        {
            var (frame, close) = await ReceiveFrameAsync();
            Assert.True(frame is not null, $"the server closed the socket ({close}) instead of answering");
            if (!skipHeartbeats || frame.Value.GetProperty("type").GetString() != "heartbeat")
            {
                return frame.Value;
            }
        }
    }

    /// <summary>Sends a batch and waits for its acknowledgement (errors and other frames before it are returned too).</summary>
    public async Task<List<JsonElement>> SendBatchAndWaitForAckAsync(long seq, params object[] events)
    {
        await SendBatchAsync(seq, events);
        var received = new List<JsonElement>();
        while (true)
        {
            var frame = await ReceiveAsync();
            received.Add(frame);
            if (frame.GetProperty("type").GetString() == "ack" && frame.TryGetProperty("seq", out var acked) && acked.GetInt64() == seq)
            {
                return received;
            }
        }
    }

    /// <summary>Reads (and drops) frames until the server closes; its close status and reason.</summary>
    public async Task<(int Status, string? Reason)> ClosedAsync()
    {
        while (true)
        {
            var (frame, close) = await ReceiveFrameAsync();
            if (frame is null)
            {
                return close!.Value;
            }
        }
    }

    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    private async Task<(JsonElement? Frame, (int Status, string? Reason)? Close)> ReceiveFrameAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, ((int)socket.CloseStatus!.Value, socket.CloseStatusDescription));
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return (JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone(), null);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await CloseAsync();
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Already going.
            }
        }
        socket.Dispose();
    }
}
