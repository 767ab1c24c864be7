#:property PublishAot=false
// Opens a session's telemetry socket the way a browser does, sends a few events, and prints what the server answers.
// Needs only the .NET SDK (a file-based app; the first run compiles it, which takes a little while):
//
//   dotnet run tools/telemetry-socket.cs -- http://127.0.0.1:5080 SESSION_ID "Bearer ID_TOKEN"
//   dotnet run tools/telemetry-socket.cs -- http://127.0.0.1:5080 SESSION_ID "X-Guest-Token GUEST_TOKEN"
//
// The events are those of the demo paper (q1 single choice, q4 essay, q5 code): a question view, the tab hidden for
// 65 seconds, a paste into the code question. Afterwards an author or admin sees them at
// GET /api/v1/sessions/SESSION_ID/events and /integrity.
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

if (args.Length != 3 || !Uri.TryCreate(args[0], UriKind.Absolute, out var api) || !Guid.TryParse(args[1], out var session)
    || args[2].Split(' ', 2) is not [var scheme, var credential])
{
    Console.Error.WriteLine("usage: dotnet run tools/telemetry-socket.cs -- API_BASE_URL SESSION_ID \"Bearer ID_TOKEN\" | \"X-Guest-Token TOKEN\"");
    return 2;
}

using var http = new HttpClient { BaseAddress = api };
if (scheme == "Bearer")
{
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
}
else
{
    http.DefaultRequestHeaders.Add(scheme, credential);
}

// 1. A ticket: browsers cannot put headers on a WebSocket, so the credential buys a 30-second, single-use ticket.
using var ticketResponse = await http.PostAsync($"/api/v1/sessions/{session}/telemetry-ticket", null);
var ticketBody = await ticketResponse.Content.ReadAsStringAsync();
if (!ticketResponse.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"ticket refused ({(int)ticketResponse.StatusCode}): {ticketBody}");
    return 1;
}
var ticket = JsonDocument.Parse(ticketBody).RootElement.GetProperty("ticket").GetString()!;
Console.WriteLine("ticket issued (valid 30 s, one connection)");

// 2. The socket.
using var socket = new ClientWebSocket();
var socketUri = new UriBuilder(new Uri(api, $"/api/v1/sessions/{session}/telemetry"))
{
    Scheme = api.Scheme == "https" ? "wss" : "ws",
    Query = "ticket=" + Uri.EscapeDataString(ticket),
};
await socket.ConnectAsync(socketUri.Uri, CancellationToken.None);
Console.WriteLine($"connected to {socketUri.Uri.GetLeftPart(UriPartial.Path)}");

// 3. One batch; the server acknowledges it with its seq once it is stored (a resend of the same seq is stored once).
var now = DateTimeOffset.UtcNow;
var batch = new
{
    seq = 1,
    events = new object[]
    {
        new { type = "question_view", at = now.AddSeconds(-90).ToString("O"), question_id = "q1" },
        new { type = "visibility_hidden", at = now.AddSeconds(-80).ToString("O") },
        new { type = "visibility_visible", at = now.AddSeconds(-15).ToString("O") },
        new { type = "question_view", at = now.AddSeconds(-10).ToString("O"), question_id = "q5" },
        new { type = "paste", at = now.AddSeconds(-5).ToString("O"), question_id = "q5", data = new { length = 42 } },
        new { type = "heartbeat", at = now.ToString("O") },
    },
};
await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(batch), WebSocketMessageType.Text, true, CancellationToken.None);
Console.WriteLine($"sent: {JsonSerializer.Serialize(batch)}");

var buffer = new byte[8192];
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
while (true)
{
    var received = await socket.ReceiveAsync(buffer, timeout.Token);
    if (received.MessageType == WebSocketMessageType.Close)
    {
        Console.WriteLine($"closed by the server: {(int?)socket.CloseStatus} {socket.CloseStatusDescription}");
        return 1;
    }
    var frame = Encoding.UTF8.GetString(buffer, 0, received.Count);
    Console.WriteLine($"received: {frame}");
    if (frame.Contains("\"ack\"", StringComparison.Ordinal))
    {
        break;
    }
}

await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
Console.WriteLine("closed");
return 0;
