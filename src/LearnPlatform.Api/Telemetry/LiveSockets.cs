using System.Globalization;
using Npgsql;

namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// This replica's live telemetry sockets, by session, and its ear on the <see cref="Channel"/> notifications every
/// replica sends: <c>closed:{session}</c> (the session left in_progress; a trigger on exam_sessions sends it) and
/// <c>takeover:{session}:{generation}</c> (a newer connection opened, on this replica or another). Nothing here is
/// needed by another replica: the generations live in telemetry_connections, and each socket re-reads its session at
/// every heartbeat in case a notification was missed.
/// </summary>
public sealed partial class LiveSockets(NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, ILogger<LiveSockets> logger) : BackgroundService
{
    public const string Channel = "learnplatform_telemetry";
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);

    private readonly Dictionary<Guid, TelemetrySocket> sockets = [];
    private readonly Lock gate = new();

    /// <summary>Adds a socket; of two sockets of one session, the older generation closes with 4000.</summary>
    public IDisposable Register(TelemetrySocket socket)
    {
        TelemetrySocket? loser;
        lock (gate)
        {
            if (!sockets.TryGetValue(socket.SessionId, out var existing) || existing.Generation < socket.Generation)
            {
                sockets[socket.SessionId] = socket;
                loser = existing;
            }
            else
            {
                loser = socket;
            }
        }
        loser?.Close(CloseCodes.Replaced, "replaced by a newer connection");
        return new Registration(this, socket);
    }

    /// <summary>The notification's payload, as a connection's handshake sends it.</summary>
    public static string TakeoverPayload(Guid sessionId, long generation) =>
        string.Create(CultureInfo.InvariantCulture, $"takeover:{sessionId}:{generation}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Before the server stops waiting for requests: clients hear 1001 and reconnect to another replica at once.
        using var stopping = lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var socket in Snapshot())
            {
                socket.Close(CloseCodes.GoingAway, "the server is shutting down; reconnect");
            }
        });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Whatever was sent while this replica was not listening: every socket re-reads its session.
                foreach (var socket in Snapshot())
                {
                    socket.CheckSoon();
                }
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogListenFailed(logger, e.GetType().Name);
                try
                {
                    await Task.Delay(ErrorBackoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Dispatch(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length < 2 || !Guid.TryParse(parts[1], out var sessionId))
        {
            return;
        }
        TelemetrySocket? socket;
        lock (gate)
        {
            sockets.TryGetValue(sessionId, out socket);
        }
        switch (parts[0])
        {
            case "closed":
                socket?.Close(CloseCodes.Normal, "the session is submitted");
                break;
            case "takeover" when parts.Length == 3 && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var generation) && socket?.Generation < generation:
                socket.Close(CloseCodes.Replaced, "replaced by a newer connection");
                break;
        }
    }

    private List<TelemetrySocket> Snapshot()
    {
        lock (gate)
        {
            return [.. sockets.Values];
        }
    }

    private void Unregister(TelemetrySocket socket)
    {
        lock (gate)
        {
            if (sockets.TryGetValue(socket.SessionId, out var current) && ReferenceEquals(current, socket))
            {
                sockets.Remove(socket.SessionId);
            }
        }
    }

    private sealed class Registration(LiveSockets owner, TelemetrySocket socket) : IDisposable
    {
        public void Dispose() => owner.Unregister(socket);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry notifications: listening failed ({Error}); trying again")]
    private static partial void LogListenFailed(ILogger logger, string error);
}
