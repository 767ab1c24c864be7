using System.Net.WebSockets;
using System.Threading.Channels;
using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// One live telemetry socket. Three loops: receive (check each frame, queue it for the ingest, which may make it wait),
/// send (acks, errors, heartbeats and the close, one at a time as WebSockets require), and watch (heartbeats, and a
/// re-read of the session so a submit, a deadline or a newer connection is seen even if a notification was missed).
/// </summary>
public sealed partial class TelemetrySocket : IFrameOwner, IDisposable
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private const int MaxInvalidFrames = 3;

    private readonly WebSocket socket;
    private readonly LiveSession session;
    private readonly EventIngest ingest;
    private readonly NpgsqlDataSource dataSource;
    private readonly TelemetrySocketOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<Outgoing> outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim unacked;
    private readonly CancellationTokenSource stop = new();
    private readonly FloodGuard flood;
    private TaskCompletionSource checkNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset deadline;
    private int closeRequested;
    private int invalidFrames;
    private bool consentErrorSent;

    public TelemetrySocket(WebSocket socket, LiveSession session, long generation, EventIngest ingest, NpgsqlDataSource dataSource,
        TelemetrySocketOptions options, TimeProvider time, ILogger logger)
    {
        this.socket = socket;
        this.session = session;
        Generation = generation;
        this.ingest = ingest;
        this.dataSource = dataSource;
        this.options = options;
        this.time = time;
        this.logger = logger;
        deadline = session.Deadline;
        unacked = new SemaphoreSlim(options.MaxUnackedFrames);
        flood = new FloodGuard(options.MaxEventsPerSecond, time.GetTimestamp(), time.TimestampFrequency);
    }

    public Guid SessionId => session.SessionId;

    public long Generation { get; }

    public async Task RunAsync(LiveSockets live, CancellationToken requestAborted)
    {
        using var registration = live.Register(this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stop.Token);
        LogOpened(logger, session.SessionId, Generation);
        var send = SendLoopAsync();
        var watch = WatchLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(linked.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer went away, or the close handshake timed out: nothing more to say to it.
        }
        finally
        {
            outgoing.Writer.TryComplete();
            await stop.CancelAsync();
            await Task.WhenAll(send, watch);
            socket.Abort();
            LogClosed(logger, session.SessionId, Generation, (int?)socket.CloseStatus ?? 0);
        }
    }

    /// <summary>Closes with <paramref name="code"/> after what is already queued; only the first request counts.</summary>
    public void Close(int code, string reason)
    {
        if (Interlocked.Exchange(ref closeRequested, 1) == 1)
        {
            return;
        }
        outgoing.Writer.TryWrite(new Outgoing(null, code, reason));
        outgoing.Writer.TryComplete();
        // The client has this long to answer the close before the connection is dropped.
        try
        {
            stop.CancelAfter(CloseHandshakeTimeout);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>Re-read the session now (the notification listener reconnected and may have missed something).</summary>
    public void CheckSoon() => checkNow.TrySetResult();

    public void Stored(PendingFrame frame)
    {
        ReleaseSlot();
        outgoing.Writer.TryWrite(new Outgoing(OutgoingFrames.Ack(frame.Seq)));
    }

    public void NotStored(PendingFrame frame)
    {
        ReleaseSlot();
        Close(CloseCodes.InternalError, "events could not be stored; reconnect and resend");
    }

    public void Dispose()
    {
        stop.Dispose();
        unacked.Dispose();
    }

    private void ReleaseSlot()
    {
        try
        {
            unacked.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stored after the socket closed: there is no one left to acknowledge.
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[ClientFrames.MaxFrameBytes + 1];
        var length = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // The client's close, or its answer to ours.
                Close(CloseCodes.Normal, "");
                return;
            }
            if (Volatile.Read(ref closeRequested) == 1)
            {
                length = 0; // Closing: what arrives until the client answers is not read.
                continue;
            }
            if (received.MessageType == WebSocketMessageType.Binary)
            {
                Close(CloseCodes.UnsupportedData, "binary frames are not accepted; send JSON text");
                continue;
            }
            length += received.Count;
            if (length > ClientFrames.MaxFrameBytes)
            {
                Close(CloseCodes.MessageTooBig, "a frame is at most 4096 bytes");
                length = 0;
            }
            else if (received.EndOfMessage)
            {
                await HandleTextAsync(buffer.AsMemory(0, length), ct);
                length = 0;
            }
        }
    }

    private async Task HandleTextAsync(ReadOnlyMemory<byte> text, CancellationToken ct)
    {
        var receivedAt = time.Now();
        var (frame, error) = ClientFrames.Parse(text, session.QuestionIds);
        if (!flood.TryTake(frame?.Events.Count ?? 1, time.GetTimestamp()))
        {
            Close(CloseCodes.PolicyViolation, $"more than {options.MaxEventsPerSecond} events a second");
            return;
        }
        if (error is not null)
        {
            Send(OutgoingFrames.Error(error));
            if (++invalidFrames >= MaxInvalidFrames)
            {
                Close(CloseCodes.PolicyViolation, "three invalid frames");
            }
            return;
        }

        var events = frame!.Events;
        if (!session.BiometricsConsented && events.Any(e => e.Type == EventTypes.KeystrokeStats))
        {
            events = [.. events.Where(e => e.Type != EventTypes.KeystrokeStats)];
            if (!consentErrorSent)
            {
                consentErrorSent = true;
                Send(OutgoingFrames.Error(new FrameError(ErrorCodes.ConsentRequired,
                    "keystroke_stats are accepted only after the candidate grants the biometric_metrics consent; they are dropped.", frame.Seq)));
            }
        }
        if (events.Count == 0)
        {
            Send(OutgoingFrames.Ack(frame.Seq));
            return;
        }
        await unacked.WaitAsync(ct);
        await ingest.EnqueueAsync(new PendingFrame(this, session, frame.Seq, events, receivedAt), ct);
    }

    private void Send(byte[] frame) => outgoing.Writer.TryWrite(new Outgoing(frame));

    private async Task SendLoopAsync()
    {
        await foreach (var message in outgoing.Reader.ReadAllAsync())
        {
            try
            {
                using var timeout = new CancellationTokenSource(SendTimeout);
                if (message.Frame is { } frame)
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                }
                else if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    LogClosing(logger, session.SessionId, Generation, message.CloseCode, message.CloseReason);
                    await socket.CloseOutputAsync((WebSocketCloseStatus)message.CloseCode, message.CloseReason, timeout.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                await stop.CancelAsync();
                return;
            }
        }
    }

    /// <summary>Heartbeats (paced by the monotonic clock), and the session re-read at each one, at the deadline, and when asked.</summary>
    private async Task WatchLoopAsync(CancellationToken ct)
    {
        var lastBeat = time.GetTimestamp();
        try
        {
            while (Volatile.Read(ref closeRequested) == 0)
            {
                var untilBeat = options.HeartbeatInterval - time.GetElapsedTime(lastBeat);
                var untilDeadline = deadline - time.GetUtcNow();
                var wait = untilBeat < untilDeadline ? untilBeat : untilDeadline;
                var check = checkNow;
                await Task.WhenAny(Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, ct), check.Task);
                if (check.Task.IsCompleted)
                {
                    checkNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                ct.ThrowIfCancellationRequested();
                if (time.GetElapsedTime(lastBeat) >= options.HeartbeatInterval)
                {
                    Send(OutgoingFrames.Heartbeat(time.GetUtcNow()));
                    lastBeat = time.GetTimestamp();
                }
                await CheckSessionAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // Closed.
        }
    }

    private async Task CheckSessionAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await TenantConnection.SetTenantAsync(connection, session.TenantId, ct);
            await using var command = new NpgsqlCommand("""
                SELECT s.status, s.deadline, coalesce(c.generation, 0)
                FROM exam_sessions s LEFT JOIN telemetry_connections c ON c.session_id = s.id
                WHERE s.id = @session
                """, connection);
            command.Parameters.AddWithValue("session", session.SessionId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || reader.GetString(0) != SessionStatus.InProgress)
            {
                Close(CloseCodes.Normal, "the session is submitted");
                return;
            }
            deadline = reader.GetFieldValue<DateTimeOffset>(1);
            if (deadline <= time.GetUtcNow())
            {
                Close(CloseCodes.Normal, "the session's deadline has passed");
            }
            else if (reader.GetInt64(2) > Generation)
            {
                Close(CloseCodes.Replaced, "replaced by a newer connection");
            }
        }
        catch (NpgsqlException e)
        {
            // The next heartbeat reads again; the socket itself does not depend on the database being there.
            LogCheckFailed(logger, session.SessionId, e.GetType().Name);
        }
    }

    private sealed record Outgoing(byte[]? Frame, int CloseCode = 0, string CloseReason = "");

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry socket opened for session {SessionId} (generation {Generation})")]
    private static partial void LogOpened(ILogger logger, Guid sessionId, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry socket of session {SessionId} (generation {Generation}) closing with {Code}: {Reason}")]
    private static partial void LogClosing(ILogger logger, Guid sessionId, long generation, int code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry socket of session {SessionId} (generation {Generation}) closed ({Code})")]
    private static partial void LogClosed(ILogger logger, Guid sessionId, long generation, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry socket of session {SessionId} could not re-read its session ({Error})")]
    private static partial void LogCheckFailed(ILogger logger, Guid sessionId, string error);
}
