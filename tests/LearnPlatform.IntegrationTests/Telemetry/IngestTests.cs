using LearnPlatform.Api.Telemetry;
using Npgsql;
using static LearnPlatform.IntegrationTests.Telemetry.TelemetryCalls;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>
/// The ingest behind the sockets: frames of many sockets and tenants stored in one transaction, each acknowledged; and a
/// flush that fails acknowledges none of its frames. Each test has its own app and database, since it blocks or
/// breaks the event store for everyone on it.
/// </summary>
public sealed class IngestTests
{
    [Fact]
    public async Task FramesOfManySocketsAndTenantsStoredTogetherAreEachAcknowledged()
    {
        await using var app = await TestApp.StartAsync(settings => settings["Telemetry:IngestWriters"] = "1");
        var first = await TelemetrySetup.StartAsync(app);
        var others = new[] { await TelemetrySetup.StartAsync(app), await TelemetrySetup.StartAsync(app) };
        await using var firstSocket = await app.OpenTelemetryAsync(first.CandidateClient, first.Session);
        var otherSockets = new List<TelemetryClient>();
        foreach (var t in others)
        {
            otherSockets.Add(await app.OpenTelemetryAsync(t.CandidateClient, t.Session));
        }

        // The one writer takes the first frame and waits on the lock; the frames sent meanwhile queue up behind it.
        await using (var blocker = await BlockInsertsAsync(app))
        {
            await firstSocket.SendBatchAsync(1, Event("blur"));
            await WaitForBlockedWriterAsync(app);
            await firstSocket.SendBatchAsync(2, Event("focus"), Event("heartbeat"));
            for (var i = 0; i < otherSockets.Count; i++)
            {
                await otherSockets[i].SendBatchAsync(7, Event("question_view", questionId: "q1"), Event("paste", questionId: "q5", data: new { length = i + 1 }));
            }
            // All three later frames wait in the queue before the writer is let go, so its next flush takes them together.
            await Eventually.TrueAsync(() => Task.FromResult(app.Service<EventIngest>().QueuedFrames == 1 + otherSockets.Count), TimeSpan.FromSeconds(30), "the later frames queued");
        }

        Assert.Equal("""{"type":"ack","seq":1}""", (await firstSocket.ReceiveAsync()).GetRawText());
        Assert.Equal("""{"type":"ack","seq":2}""", (await firstSocket.ReceiveAsync()).GetRawText());
        foreach (var socket in otherSockets)
        {
            Assert.Equal("""{"type":"ack","seq":7}""", (await socket.ReceiveAsync()).GetRawText());
            await socket.DisposeAsync();
        }
        Assert.Equal(3, await app.EventCountAsync(first.Session));
        foreach (var t in others)
        {
            Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM telemetry_events WHERE session_id = @s AND tenant_id = @t", ("s", t.Session), ("t", t.Tenant)));
        }
        // Everything sent while the writer was blocked was committed in one transaction, in the order received.
        var later = new[] { first.Session }.Concat(others.Select(o => o.Session)).ToArray();
        Assert.Equal(1, await app.CountAsync("SELECT count(DISTINCT xmin::text) FROM telemetry_events WHERE session_id = ANY (@s) AND seq <> 1", ("s", later)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM telemetry_events a JOIN telemetry_events b ON b.session_id = a.session_id AND b.seq = a.seq AND b.idx = a.idx + 1
            WHERE a.session_id = @s AND a.seq = 2 AND b.id > a.id
            """, ("s", first.Session)));
    }

    [Fact]
    public async Task FailedFlushAcknowledgesNoneOfItsFramesAndTheResendIsStoredOnce()
    {
        await using var app = await TestApp.StartAsync();
        var setups = new[] { await TelemetrySetup.StartAsync(app), await TelemetrySetup.StartAsync(app) };
        var role = await AppRoleAsync(app);

        await SetInsertAllowedAsync(app, role, allowed: false);
        try
        {
            foreach (var t in setups)
            {
                await using var socket = await app.OpenTelemetryAsync(t.CandidateClient, t.Session);
                await socket.SendBatchAsync(3, Event("blur"), Event("focus"));

                // No ack: the socket closes so the client reconnects and resends what was not acknowledged.
                Assert.Equal(1011, (await socket.ClosedAsync()).Status);
            }
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM telemetry_events"));
        }
        finally
        {
            await SetInsertAllowedAsync(app, role, allowed: true);
        }

        foreach (var t in setups)
        {
            await using var socket = await app.OpenTelemetryAsync(t.CandidateClient, t.Session);
            await socket.SendBatchAndWaitForAckAsync(3, Event("blur"), Event("focus"));
            await socket.SendBatchAndWaitForAckAsync(3, Event("blur"), Event("focus"));
            Assert.Equal(2, await app.EventCountAsync(t.Session));
        }
    }

    /// <summary>A transaction of the owner holding a lock that makes every insert into the event store wait until it ends.</summary>
    private static async Task<NpgsqlConnection> BlockInsertsAsync(TestApp app)
    {
        var connection = new NpgsqlConnection(app.Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE telemetry_events IN SHARE MODE", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static Task WaitForBlockedWriterAsync(TestApp app) =>
        Eventually.TrueAsync(async () => await app.CountAsync("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO telemetry_events%'
            """) == 1, what: "the ingest's insert waiting on the lock");

    private static async Task<string> AppRoleAsync(TestApp app)
    {
        await using var connection = new NpgsqlConnection(app.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task SetInsertAllowedAsync(TestApp app, string role, bool allowed)
    {
        await using var connection = new NpgsqlConnection(app.Database.OwnerConnectionString);
        await connection.OpenAsync();
        var sql = allowed ? "GRANT INSERT ON telemetry_events TO {0}" : "REVOKE INSERT ON telemetry_events FROM {0}";
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, new NpgsqlCommandBuilder().QuoteIdentifier(role)), connection);
        await command.ExecuteNonQueryAsync();
    }
}
