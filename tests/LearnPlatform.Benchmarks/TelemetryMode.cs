using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LearnPlatform.Api;
using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// <c>--telemetry</c> (G5): acknowledged telemetry events per second over many concurrent sockets, beside a plain COPY
/// of the same rows into the same table in the same run. The API runs in this process (Production settings, guest
/// sessions, the per-socket flood limit lifted so the pipeline, not the limit, is measured); each socket sends a batch
/// and waits for its ack before the next (closed loop). A paced phase at the production limit (20 events a second per
/// socket) before it gives the ack latency a real exam sees; an open-loop phase after the COPY offers half the COPY's
/// rate, for the ack latency at the throughput target.
/// </summary>
internal static class TelemetryMode
{
    private const int EventsPerBatch = 50;
    // Long enough for the tiered JIT to finish the hot paths on a busy 2-core machine (after 3 s it was still compiling them).
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] positional, bool durable)
    {
        var culture = CultureInfo.InvariantCulture;
        var sockets = positional.Length > 0 ? int.Parse(positional[0], culture) : 200;
        var seconds = positional.Length > 1 ? int.Parse(positional[1], culture) : 20;
        var writers = positional.Length > 2 ? positional[2] : null;
        // Events a second per socket in the open-loop phase; by default half of this run's COPY rate over the sockets.
        int? targetPerSocket = positional.Length > 3 ? int.Parse(positional[3], culture) : null;

        var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
        await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
        try
        {
            var db = await cluster.Provisioner.EnsureDatabaseAsync("bench_telemetry");
            await cluster.Provisioner.EnsurePartmanAsync(db);
            await DatabaseMigrator.MigrateAsync(db.OwnerConnectionString, db.AppConnectionString);
            var paper = await SeedGuestPaperAsync(db.OwnerConnectionString);
            Report.Machine(durable);

            await using var app = await StartApiAsync(db.AppConnectionString, writers);
            var baseUri = new Uri(app.Urls.First());
            using var http = new HttpClient { BaseAddress = baseUri };
            var clients = await OpenSocketsAsync(http, baseUri, paper, sockets);

            var cpu = new ClusterCpu(Path.Combine(root, "data"));
            // The production-rate phase first: after the saturated one the cluster is still working off its millions of rows
            // (write-back, checkpoint, autovacuum), which no real exam's steady telemetry would have left behind.
            var paced = await RunPhaseAsync(clients, seconds, pace: TimeSpan.FromSeconds(EventsPerBatch / 20.0), seqBase: 1_000_000_000L, cpu);
            var saturated = await RunPhaseAsync(clients, seconds, pace: null, seqBase: 0, cpu);
            // The COPY before the open loop (the sockets idle meanwhile), so that phase offers half of this run's COPY rate,
            // whatever the machine's disk and load make of it; its checkpoints come before that phase, not during it.
            var copy = await CopyYardstickAsync(db.SuperuserConnectionString, cpu);
            var perSocket = targetPerSocket ?? (int)Math.Ceiling(0.5 * copy.RowsPerSecond / sockets);
            var atTarget = await RunPhaseAsync(clients, seconds, pace: TimeSpan.FromSeconds(EventsPerBatch / (double)perSocket), seqBase: 2_000_000_000L, cpu);
            foreach (var client in clients)
            {
                client.Abort();
                client.Dispose();
            }
            await app.StopAsync();

            Report.Line("", $"COPY (binary, one statement, as a superuser: COPY FROM is refused under row-level security) of the {copy.Rows} rows stored", $"{copy.RowsPerSecond:0} rows/s");
            Report.Line("G5", $"acknowledged events/s, {sockets} sockets, batches of {EventsPerBatch}, each waiting for its ack, {seconds} s",
                $"{saturated.EventsPerSecond:0} events/s", saturated.EventsPerSecond / copy.RowsPerSecond, 0.5, "COPY");
            Report.Line("G5", "ack latency p50 / p99, same run", $"{saturated.P50Ms:0.0} / {saturated.P99Ms:0.0} ms", "p99 <= 100 ms", saturated.P99Ms <= 100);
            Report.Line("", "CPU per 1,000 rows of the COPY: this process + PostgreSQL", copy.Cpu.ToString());
            Report.Line("G5", "CPU per 1,000 acknowledged events, same phase: this process (API and socket clients) + PostgreSQL",
                string.Create(culture, $"{saturated.Cpu} ({copy.Cpu.TotalMs / saturated.Cpu.TotalMs:0.000} x COPY's CPU per row)"));
            Report.Line("G5", $"acknowledged events/s, {sockets} sockets at the production limit (20 events/s each), {seconds} s",
                $"{paced.EventsPerSecond:0} events/s", paced.EventsPerSecond / copy.RowsPerSecond, 0, "COPY");
            Report.Line("G5", "ack latency p50 / p99 at the production limit", $"{paced.P50Ms:0.0} / {paced.P99Ms:0.0} ms", "p99 <= 100 ms", paced.P99Ms <= 100);
            Report.Line("G5", $"acknowledged events/s, {sockets} sockets offering {perSocket} events/s each (open loop), {seconds} s",
                $"{atTarget.EventsPerSecond:0} events/s", atTarget.EventsPerSecond / copy.RowsPerSecond, 0.5, "COPY");
            Report.Line("G5", "ack latency p50 / p99 at that rate, from when each batch was due", $"{atTarget.P50Ms:0.0} / {atTarget.P99Ms:0.0} ms", "p99 <= 100 ms", atTarget.P99Ms <= 100);
        }
        finally
        {
            await cluster.StopAsync();
            if (durable)
            {
                Directory.Delete(root, recursive: true);
            }
        }
        return 0;
    }

    /// <param name="writers">Telemetry:IngestWriters, or null for the service's default.</param>
    private static async Task<WebApplication> StartApiAsync(string appConnectionString, string? writers)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.Sources.Clear();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = appConnectionString,
            ["Firebase:ProjectId"] = "learnplatform-bench",
            ["Firebase:PublicKeysUrl"] = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com",
            ["RateLimits:Policies:guest-sessions:PermitLimit"] = "100000",
            ["Telemetry:MaxEventsPerSecond"] = "1000000",
        };
        // An empty setting binds as 0 writers, which the service refuses: name it only when the command line does.
        if (writers is not null)
        {
            settings["Telemetry:IngestWriters"] = writers;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = LearnPlatformApp.Build(builder);
        await app.StartAsync();
        return app;
    }

    private static async Task<Guid> SeedGuestPaperAsync(string ownerConnectionString)
    {
        var now = DateTimeOffset.UtcNow;
        var tenant = new Tenant { Name = "Benchmark", CreatedAt = now };
        var settings = new PaperSettings
        {
            Title = "Telemetry benchmark",
            TimeLimitSeconds = 4 * 3600,
            MaxAttempts = 1,
            GuestAccess = true,
            Questions =
            [
                new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
                new Question { Id = "q2", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
            ],
        };
        await using var dataSource = NpgsqlDataSource.Create(ownerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenant.Id);
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync();
        var paper = new Paper { TenantId = tenant.Id, Content = settings, Status = PaperStatus.Published, PublishedVersion = 1, CreatedBy = "bench", CreatedAt = now, UpdatedAt = now };
        db.Papers.Add(paper);
        await db.SaveChangesAsync();
        db.PaperVersions.Add(new PaperVersion { PaperId = paper.Id, Version = 1, TenantId = tenant.Id, Content = settings, PublishedBy = "bench", PublishedAt = now });
        await db.SaveChangesAsync();
        return paper.Id;
    }

    /// <summary>A guest session, a ticket and a socket each, as a browser opens them (16 at a time).</summary>
    private static async Task<ClientWebSocket[]> OpenSocketsAsync(HttpClient http, Uri baseUri, Guid paper, int count)
    {
        using var gate = new SemaphoreSlim(16);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                using var created = await http.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
                var body = await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
                var session = body.GetProperty("session").GetProperty("id").GetGuid();
                using var ticketRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sessions/{session}/telemetry-ticket");
                ticketRequest.Headers.Add("X-Guest-Token", body.GetProperty("guest_token").GetString());
                using var ticketResponse = await http.SendAsync(ticketRequest);
                var ticket = (await ticketResponse.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri($"ws://{baseUri.Authority}/api/v1/sessions/{session}/telemetry?ticket={Uri.EscapeDataString(ticket)}"), CancellationToken.None);
                return socket;
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private sealed record Phase(double EventsPerSecond, double P50Ms, double P99Ms, CpuPerThousand Cpu);

    /// <summary>CPU time (user + system) per 1,000 rows: a measure that a busy shared machine disturbs far less than rows/s.</summary>
    private sealed record CpuPerThousand(double AppMs, double PostgresMs)
    {
        public double TotalMs => AppMs + PostgresMs;

        public static CpuPerThousand Of((double App, double Postgres) from, (double App, double Postgres) to, double rows) =>
            new((to.App - from.App) * 1000 / rows, (to.Postgres - from.Postgres) * 1000 / rows);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{AppMs:0.0} + {PostgresMs:0.0} = {TotalMs:0.0} ms");
    }

    /// <summary>
    /// CPU milliseconds so far of this process and of the PostgreSQL cluster: its postmaster with the children it has
    /// reaped (connections closed meanwhile), and its live children (backends, WAL writer, checkpointer...).
    /// </summary>
    private sealed class ClusterCpu(string dataDirectory)
    {
        public (double App, double Postgres) Now()
        {
            var app = Environment.CpuUsage.TotalTime.TotalMilliseconds;
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(entry), out var pid) || Stat(pid) is not { } fields)
                {
                    continue;
                }
                if (pid == postmaster)
                {
                    ticks += fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
                }
                else if (fields[1] == postmaster.ToString(CultureInfo.InvariantCulture))
                {
                    ticks += fields[11..13].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
                }
            }
            return (app, ticks * 10.0); // USER_HZ is 100 on Linux
        }

        /// <summary>The fields of /proc/PID/stat after the command name (state first), or null for a process gone meanwhile.</summary>
        private static string[]? Stat(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Every socket sends batch after batch (each after the previous ack, and no sooner than <paramref name="pace"/>); what falls in the measured window after the warm-up counts.</summary>
    /// <param name="pace">Time between a socket's batches (latency counted from when a batch was due), or null to send
    /// each batch when the previous one is acknowledged.</param>
    /// <param name="seqBase">Where this phase's batch numbers start: phases never share one, or a batch would be a resend.</param>
    private static async Task<Phase> RunPhaseAsync(ClientWebSocket[] clients, int seconds, TimeSpan? pace, long seqBase, ClusterCpu cpu)
    {
        var events = EventsJson();
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var measureFrom = WarmUp;
        var measureUntil = WarmUp + TimeSpan.FromSeconds(seconds);
        var cpuMeasured = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (measureFrom - clock.Elapsed).Ticks)));
            var from = cpu.Now();
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (measureUntil - clock.Elapsed).Ticks)));
            return (From: from, To: cpu.Now());
        });
        await Task.WhenAll(clients.Select((socket, index) => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            // Sockets start spread over the pace, as browsers would, not all in the same instant.
            var next = pace is { } spread ? TimeSpan.FromTicks(spread.Ticks * index / clients.Length) : TimeSpan.Zero;
            var seq = seqBase;
            while ((pace is null ? clock.Elapsed : next) < measureUntil)
            {
                var sent = clock.Elapsed;
                if (pace is { } interval)
                {
                    var wait = next - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                    // A socket that has fallen behind its schedule counts the delay: latency runs from when the batch was due.
                    sent = next;
                    next += interval;
                }
                seq++;
                var frame = Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"events\":{events}}}");
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                await ReceiveAckAsync(socket, buffer);
                var done = clock.Elapsed;
                // Paced, every batch due in the window counts, however late its ack; closed loop, every batch acknowledged in it.
                if (sent >= measureFrom && (pace is null ? done <= measureUntil : sent < measureUntil))
                {
                    latencies.Add((done - sent).TotalMilliseconds);
                }
            }
        })));
        var sorted = latencies.Order().ToList();
        var (cpuFrom, cpuTo) = await cpuMeasured;
        return new Phase(sorted.Count * (double)EventsPerBatch / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99),
            CpuPerThousand.Of(cpuFrom, cpuTo, sorted.Count * (double)EventsPerBatch));
    }

    private static async Task ReceiveAckAsync(ClientWebSocket socket, byte[] buffer)
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the server closed a socket: {socket.CloseStatus} {socket.CloseStatusDescription}");
            }
            if (Encoding.UTF8.GetString(buffer, 0, received.Count).Contains("\"ack\"", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>50 events of a realistic mix, under the 4 KiB frame limit.</summary>
    private static string EventsJson()
    {
        var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var kinds = new[]
        {
            $"{{\"type\":\"heartbeat\",\"at\":\"{at}\"}}",
            $"{{\"type\":\"blur\",\"at\":\"{at}\"}}",
            $"{{\"type\":\"focus\",\"at\":\"{at}\"}}",
            $"{{\"type\":\"question_view\",\"at\":\"{at}\",\"question_id\":\"q1\"}}",
            $"{{\"type\":\"paste\",\"at\":\"{at}\",\"question_id\":\"q2\",\"data\":{{\"length\":12}}}}",
        };
        var json = "[" + string.Join(",", Enumerable.Range(0, EventsPerBatch).Select(i => kinds[i % kinds.Length])) + "]";
        return json.Length < 4000 ? json : throw new InvalidOperationException("the benchmark's frame would exceed 4 KiB");
    }

    /// <summary>The rows the sockets stored, read back, the table emptied, and the same rows copied in again and timed (then analysed and checkpointed).</summary>
    private static async Task<(int Rows, double RowsPerSecond, CpuPerThousand Cpu)> CopyYardstickAsync(string superuserConnectionString, ClusterCpu cpu)
    {
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync();
        var rows = new List<object?[]>();
        await using (var read = new NpgsqlCommand(
            "SELECT tenant_id, session_id, session_day, seq, idx, type, client_at, received_at, question_id, data::text FROM telemetry_events", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var row = new object?[10];
                reader.GetValues(row!);
                rows.Add(row);
            }
        }
        await CheckpointAsync("TRUNCATE telemetry_events; CHECKPOINT", connection);

        NpgsqlDbType[] types = [NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Date, NpgsqlDbType.Bigint, NpgsqlDbType.Smallint, NpgsqlDbType.Text,
            NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz, NpgsqlDbType.Text, NpgsqlDbType.Jsonb];
        var cpuFrom = cpu.Now();
        var clock = Stopwatch.StartNew();
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY telemetry_events (tenant_id, session_id, session_day, seq, idx, type, client_at, received_at, question_id, data) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync();
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null or DBNull)
                    {
                        await importer.WriteNullAsync();
                    }
                    else
                    {
                        await importer.WriteAsync(row[i], types[i]);
                    }
                }
            }
            await importer.CompleteAsync();
        }
        var elapsed = clock.Elapsed;
        // Statistics as autovacuum would leave them: planned from the truncated table's, the ingest's resend check crawls.
        await CheckpointAsync("ANALYZE telemetry_events; CHECKPOINT", connection);
        return (rows.Count, rows.Count / elapsed.TotalSeconds, CpuPerThousand.Of(cpuFrom, cpu.Now(), rows.Count));
    }

    private static async Task CheckpointAsync(string sql, NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
