using System.Threading.Channels;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.EventStore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Api.Telemetry;

/// <summary>A checked frame waiting to be stored; its owner hears once whether it was.</summary>
public sealed record PendingFrame(IFrameOwner Owner, LiveSession Session, long? Seq, IReadOnlyList<ClientEvent> Events, DateTimeOffset ReceivedAt);

public interface IFrameOwner
{
    /// <summary>Committed: the frame may be acknowledged.</summary>
    void Stored(PendingFrame frame);

    /// <summary>Not stored after retries: the client must reconnect and resend it.</summary>
    void NotStored(PendingFrame frame);
}

/// <summary>
/// The event store's ingest: sockets put checked frames into a bounded queue (a full queue makes them wait, and so
/// slows their clients: back-pressure, never a dropped event); writers take whatever is queued, up to
/// <see cref="TelemetrySocketOptions.IngestBatchRows"/> events, store it in one transaction (one multi-row insert per
/// tenant, under that tenant's row-level security, which refuses COPY FROM), and only after the commit tell each frame's owner to acknowledge.
/// </summary>
public sealed partial class EventIngest(
    NpgsqlDataSource dataSource, TelemetryMaintenance maintenance, IOptions<TelemetrySocketOptions> options, ILogger<EventIngest> logger)
    : BackgroundService
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    private const string Columns = "tenant_id, session_id, session_day, seq, idx, type, client_at, received_at, question_id, data";

    private const string Unnest = """
        FROM unnest(@sessions, @days, @seqs, @idxs, @types, @ats, @received, @questions, @data)
            AS u(session_id, session_day, seq, idx, type, client_at, received_at, question_id, data)
        """;

    /// <summary>
    /// Only while the session is in progress: its row is share-locked, so a submit or an erasure that commits first
    /// wins (the events arrived too late and are acknowledged but not kept), and one that commits after sees them.
    /// </summary>
    private const string LiveSessions = "u.session_id IN (SELECT s.id FROM exam_sessions s WHERE s.id = ANY (@live) AND s.status = 'in_progress' FOR SHARE)";

    /// <summary>
    /// A resend of a stored seq is skipped. Cheaper than ON CONFLICT (no speculative insertion per row); a resend racing
    /// its original in another transaction still hits the unique index, and the batch is simply stored again.
    /// </summary>
    private const string NotStoredYet = """
        NOT EXISTS (SELECT 1 FROM telemetry_events e
                    WHERE e.session_day = u.session_day AND e.session_id = u.session_id AND e.seq = u.seq AND e.idx = u.idx)
        """;

    private const string Insert = $"""
        INSERT INTO telemetry_events ({Columns})
        SELECT @tenant, u.session_id, u.session_day, u.seq, u.idx, u.type, u.client_at, u.received_at, u.question_id, u.data
        {Unnest}
        WHERE {LiveSessions} AND {NotStoredYet}
        """;

    /// <summary>
    /// keystroke_stats only while the candidate's biometric_metrics consent stands. The consent row is share-locked, so
    /// a withdrawal that commits first wins, and one that commits after deletes these rows with the rest.
    /// </summary>
    private const string InsertConsented = $"""
        INSERT INTO telemetry_events ({Columns})
        SELECT @tenant, u.session_id, u.session_day, u.seq, u.idx, u.type, u.client_at, u.received_at, u.question_id, u.data
        {Unnest}
        WHERE {LiveSessions} AND {NotStoredYet}
          AND EXISTS (SELECT 1 FROM exam_sessions s JOIN consents c ON c.tenant_id = s.tenant_id AND c.uid = s.candidate_uid
                      WHERE s.id = u.session_id AND c.flag = 'biometric_metrics' AND c.granted FOR SHARE OF c)
        """;

    private readonly Channel<PendingFrame> queue = Channel.CreateBounded<PendingFrame>(
        new BoundedChannelOptions(options.Value.IngestQueueFrames) { FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Waits while the queue is full.</summary>
    public ValueTask EnqueueAsync(PendingFrame frame, CancellationToken ct) => queue.Writer.WriteAsync(frame, ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.IngestWriters).Select(_ => Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var maxRows = options.Value.IngestBatchRows;
        var batch = new List<PendingFrame>();
        while (await WaitAsync(stoppingToken))
        {
            batch.Clear();
            var rows = 0;
            while (rows < maxRows && queue.Reader.TryRead(out var frame))
            {
                batch.Add(frame);
                rows += frame.Events.Count;
            }
            if (batch.Count == 0)
            {
                continue;
            }
            // Once taken, a batch is finished even during shutdown, so no owner waits forever.
            var stored = await StoreWithRetriesAsync(batch, rows);
            foreach (var frame in batch)
            {
                if (stored)
                {
                    frame.Owner.Stored(frame);
                }
                else
                {
                    frame.Owner.NotStored(frame);
                }
            }
        }
    }

    private async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            return await queue.Reader.WaitToReadAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> StoreWithRetriesAsync(List<PendingFrame> batch, int rows)
    {
        var maintained = false;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await StoreAsync(batch);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.MessageText.StartsWith("no partition", StringComparison.Ordinal) && !maintained)
            {
                // The scheduled maintenance has not made this day's partition (yet): make it now, and try once more.
                maintained = true;
                LogNoPartition(logger);
                await TryMaintainAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < RetryDelays.Length)
            {
                // A resend committed by another writer meanwhile: stored again, the resend is now skipped.
                LogRetrying(logger, rows, e.SqlState, TimeSpan.Zero);
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < RetryDelays.Length)
            {
                LogRetrying(logger, rows, e.GetType().Name, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt]);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogFailed(logger, rows, e.GetType().Name, (e as PostgresException)?.SqlState);
                return false;
            }
        }
    }

    private async Task TryMaintainAsync()
    {
        try
        {
            await maintenance.MaintainAsync(CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            LogFailed(logger, 0, e.GetType().Name, (e as PostgresException)?.SqlState);
        }
    }

    private async Task StoreAsync(List<PendingFrame> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var tenant in batch.GroupBy(f => f.Session.TenantId))
        {
            commands.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT set_config('{TenantConnection.Setting}', @tenant, true)")
            {
                Parameters = { new NpgsqlParameter("tenant", tenant.Key.ToString()) },
            });
            var events = new EventColumns();
            var keystrokes = new EventColumns();
            // The same seq twice in one batch (a resend right behind its original) is stored once.
            var seen = new HashSet<(Guid Session, long Seq)>();
            foreach (var frame in tenant)
            {
                if (frame.Seq is { } seq && !seen.Add((frame.Session.SessionId, seq)))
                {
                    continue;
                }
                for (var i = 0; i < frame.Events.Count; i++)
                {
                    (frame.Events[i].Type == EventTypes.KeystrokeStats ? keystrokes : events).Add(frame, frame.Events[i], (short)i);
                }
            }
            events.AddInsert(commands, Insert, tenant.Key);
            keystrokes.AddInsert(commands, InsertConsented, tenant.Key);
        }
        await commands.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>One insert's rows, column by column, as the arrays unnest reads.</summary>
    private sealed class EventColumns
    {
        private readonly List<Guid> sessions = [];
        private readonly List<DateOnly> days = [];
        private readonly List<long?> seqs = [];
        private readonly List<short> idxs = [];
        private readonly List<string> types = [];
        private readonly List<DateTimeOffset> ats = [];
        private readonly List<DateTimeOffset> received = [];
        private readonly List<string?> questions = [];
        private readonly List<string?> data = [];
        private readonly HashSet<Guid> live = [];

        public void Add(PendingFrame frame, ClientEvent e, short index)
        {
            sessions.Add(frame.Session.SessionId);
            days.Add(frame.Session.SessionDay);
            seqs.Add(frame.Seq);
            idxs.Add(index);
            types.Add(e.Type);
            ats.Add(e.At);
            received.Add(frame.ReceivedAt);
            questions.Add(e.QuestionId);
            data.Add(e.Data);
            live.Add(frame.Session.SessionId);
        }

        public void AddInsert(NpgsqlBatch commands, string sql, Guid tenantId)
        {
            if (sessions.Count == 0)
            {
                return;
            }
            commands.BatchCommands.Add(new NpgsqlBatchCommand(sql)
            {
                Parameters =
                {
                    new NpgsqlParameter("tenant", tenantId),
                    new NpgsqlParameter("live", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = live.ToArray() },
                    new NpgsqlParameter("sessions", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = sessions },
                    new NpgsqlParameter("days", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = days },
                    new NpgsqlParameter("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = seqs },
                    new NpgsqlParameter("idxs", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = idxs },
                    new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = types },
                    new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = ats },
                    new NpgsqlParameter("received", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = received },
                    new NpgsqlParameter("questions", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = questions },
                    new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = data },
                },
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry events have no partition for their day; running the event store's maintenance now")]
    private static partial void LogNoPartition(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Rows} telemetry events failed ({Error}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, int rows, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Rows} telemetry events failed ({Error}, SQLSTATE {SqlState}); their sockets close so the clients resend")]
    private static partial void LogFailed(ILogger logger, int rows, string error, string? sqlState);
}
