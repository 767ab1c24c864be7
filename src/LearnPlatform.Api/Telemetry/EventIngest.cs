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

    /// <summary>
    /// One statement per tenant and flush. A frame is kept whole or not at all: only while its session is in progress
    /// (the session row is share-locked, so a submit or an erasure that commits first wins: the events arrived too late
    /// and are acknowledged but not kept; one that commits after sees them), and only if no event of its seq is stored
    /// yet (a resend; looked up once per frame, not per event, since a frame's events commit together). keystroke_stats
    /// only while the candidate's biometric_metrics consent stands (the consent row is share-locked the same way).
    /// The events are unnested in the select list (no materialised function scan) and inserted in the order received.
    /// A resend racing its original in another transaction still hits the unique index, and the flush is retried.
    /// </summary>
    private const string Insert = """
        WITH live AS MATERIALIZED (
            SELECT s.id FROM exam_sessions s WHERE s.id = ANY (@live) AND s.status = 'in_progress' FOR SHARE
        ), consented AS MATERIALIZED (
            SELECT s.id FROM exam_sessions s JOIN consents c ON c.tenant_id = s.tenant_id AND c.uid = s.candidate_uid
            WHERE s.id = ANY (@consenting) AND c.flag = 'biometric_metrics' AND c.granted FOR SHARE OF c
        ), kept AS MATERIALIZED (
            SELECT array_agg(f.session_id IN (SELECT id FROM live)
                             AND NOT EXISTS (SELECT FROM telemetry_events e
                                             WHERE e.session_day = f.session_day AND e.session_id = f.session_id AND e.seq = f.seq)
                             ORDER BY f.frame) AS frames
            FROM unnest(@frame_sessions, @frame_days, @frame_seqs) WITH ORDINALITY AS f(session_id, session_day, seq, frame)
        )
        INSERT INTO telemetry_events (tenant_id, session_id, session_day, seq, idx, type, client_at, received_at, question_id, data)
        SELECT @tenant, u.session_id, u.session_day, u.seq, u.idx, u.type, u.client_at, u.received_at, u.question_id, u.data
        FROM (SELECT unnest(@frames) AS frame, unnest(@sessions) AS session_id, unnest(@days) AS session_day, unnest(@seqs) AS seq,
                     unnest(@idxs) AS idx, unnest(@types) AS type, unnest(@ats) AS client_at, unnest(@received) AS received_at,
                     unnest(@questions) AS question_id, unnest(@data) AS data) AS u
        WHERE (SELECT frames FROM kept)[u.frame]
          AND (u.type <> 'keystroke_stats' OR u.session_id = ANY (ARRAY(SELECT id FROM consented)))
        """;

    private readonly Channel<PendingFrame> queue = Channel.CreateBounded<PendingFrame>(
        new BoundedChannelOptions(options.Value.IngestQueueFrames) { FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Waits while the queue is full.</summary>
    public ValueTask EnqueueAsync(PendingFrame frame, CancellationToken ct) => queue.Writer.WriteAsync(frame, ct);

    /// <summary>Frames received and not yet taken by a writer.</summary>
    public int QueuedFrames => queue.Reader.Count;

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
            commands.BatchCommands.Add(TenantConnection.ForTransaction(tenant.Key));
            var rows = new TenantRows();
            // The same seq twice in one flush (a resend right behind its original) is stored once.
            var seen = new HashSet<(Guid Session, long Seq)>();
            foreach (var frame in tenant)
            {
                if (frame.Seq is not { } seq || seen.Add((frame.Session.SessionId, seq)))
                {
                    rows.Add(frame);
                }
            }
            commands.BatchCommands.Add(rows.ToCommand(tenant.Key));
        }
        await commands.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>One tenant's frames, and their events, column by column as the statement unnests them.</summary>
    private sealed class TenantRows
    {
        private readonly List<Guid> frameSessions = [];
        private readonly List<DateOnly> frameDays = [];
        private readonly List<long?> frameSeqs = [];
        private readonly List<int> frames = [];
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
        private readonly HashSet<Guid> consenting = [];

        public void Add(PendingFrame frame)
        {
            var session = frame.Session;
            frameSessions.Add(session.SessionId);
            frameDays.Add(session.SessionDay);
            frameSeqs.Add(frame.Seq);
            live.Add(session.SessionId);
            var number = frameSessions.Count; // PostgreSQL arrays count from 1
            for (var i = 0; i < frame.Events.Count; i++)
            {
                var e = frame.Events[i];
                frames.Add(number);
                sessions.Add(session.SessionId);
                days.Add(session.SessionDay);
                seqs.Add(frame.Seq);
                idxs.Add((short)i);
                types.Add(e.Type);
                ats.Add(e.At);
                received.Add(frame.ReceivedAt);
                questions.Add(e.QuestionId);
                data.Add(e.Data);
                if (e.Type == EventTypes.KeystrokeStats)
                {
                    consenting.Add(session.SessionId);
                }
            }
        }

        public NpgsqlBatchCommand ToCommand(Guid tenantId) => new(Insert)
        {
            Parameters =
            {
                new NpgsqlParameter("tenant", tenantId),
                new NpgsqlParameter("live", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = live.ToArray() },
                new NpgsqlParameter("consenting", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = consenting.ToArray() },
                new NpgsqlParameter("frame_sessions", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = frameSessions },
                new NpgsqlParameter("frame_days", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = frameDays },
                new NpgsqlParameter("frame_seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = frameSeqs },
                new NpgsqlParameter("frames", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = frames },
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
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry events have no partition for their day; running the event store's maintenance now")]
    private static partial void LogNoPartition(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Rows} telemetry events failed ({Error}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, int rows, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Rows} telemetry events failed ({Error}, SQLSTATE {SqlState}); their sockets close so the clients resend")]
    private static partial void LogFailed(ILogger logger, int rows, string error, string? sqlState);
}
