using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// N candidates, each on a connection of its own (as each browser would be), who press Start within the same second,
/// read the session, autosave on a fixed schedule and submit. A latency is measured from when the request was due,
/// not from when it could be sent, so a server that falls behind its schedule shows it (no coordinated omission).
/// </summary>
internal static class ExamDay
{
    public const string CandidatePrefix = "exam-day-";
    private const string WarmUpPrefix = "warm-up-";
    private static readonly string[] Answers = ["[\"4\"]", "[\"2\",\"4\"]", "\"def\"", "[\"3\"]", "[\"2\"]", "\"lambda\""];

    public sealed record Outcome(List<double> Starts, List<double> Reads, List<double> Saves, List<double> Submits, IReadOnlyCollection<string> Errors);

    public static double P50(List<double> sorted) => sorted.Count == 0 ? double.NaN : Report.Percentile(sorted, 0.50);

    public static double P99(List<double> sorted) => sorted.Count == 0 ? double.NaN : Report.Percentile(sorted, 0.99);

    public static async Task<Outcome> RunAsync(Uri apiUrl, Guid tenant, Guid paper, int candidates, TimeSpan examLength, TimeSpan saveEvery)
    {
        var tokens = Enumerable.Range(1, candidates).Select(i => ApiMode.Token($"{CandidatePrefix}{i}", tenant)).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = candidates,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            BaseAddress = apiUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var (starts, reads, saves, submits) = (new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>());
        var errors = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var saveCount = (int)(examLength / saveEvery);

        async Task CandidateAsync(int i, TimeSpan startAt)
        {
            var random = new Random(i);
            var due = startAt + TimeSpan.FromMilliseconds(random.Next(1000));
            var session = await SendAsync(http, HttpMethod.Post, "/api/v1/sessions", tokens[i], $"{{\"paper_id\": \"{paper}\"}}", due, clock, starts, errors);
            if (session is null)
            {
                return;
            }
            var id = session.Value.GetProperty("id").GetGuid();
            await SendAsync(http, HttpMethod.Get, $"/api/v1/sessions/{id}", tokens[i], null, clock.Elapsed, clock, reads, errors);
            // The page's autosave timer starts when the session has loaded.
            var loaded = clock.Elapsed;
            var phase = TimeSpan.FromMilliseconds(random.Next((int)saveEvery.TotalMilliseconds));
            for (var k = 0; k < saveCount; k++)
            {
                var answer = Answers[(k + i) % Answers.Length];
                var question = $"q{((k + i) % 3) + 1}";
                await SendAsync(http, HttpMethod.Put, $"/api/v1/sessions/{id}/responses/{question}", tokens[i], $"{{\"answer\": {answer}}}", loaded + phase + (saveEvery * k), clock, saves, errors);
            }
            await SendAsync(http, HttpMethod.Post, $"/api/v1/sessions/{id}/submit", tokens[i], null, loaded + examLength, clock, submits, errors);
        }

        await WarmUpAsync(http, tenant, paper);
        var startAt = clock.Elapsed + TimeSpan.FromSeconds(2);
        await Task.WhenAll(Enumerable.Range(0, candidates).Select(i => Task.Run(() => CandidateAsync(i, startAt))));
        return new Outcome(Sorted(starts), Sorted(reads), Sorted(saves), Sorted(submits), errors);
    }

    /// <summary>
    /// A few candidates go through every step first, as traffic before 09:00 would have: a process that just started
    /// compiles each query and serializer on first use, which is not what exam day measures.
    /// </summary>
    private static async Task WarmUpAsync(HttpClient http, Guid tenant, Guid paper)
    {
        var clock = Stopwatch.StartNew();
        var (starts, reads, saves, submits, errors) = (new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentBag<double>(), new ConcurrentQueue<string>());
        for (var i = 0; i < 8; i++)
        {
            var token = ApiMode.Token($"{WarmUpPrefix}{i}", tenant);
            var session = await SendAsync(http, HttpMethod.Post, "/api/v1/sessions", token, $"{{\"paper_id\": \"{paper}\"}}", clock.Elapsed, clock, starts, errors);
            var id = session?.GetProperty("id").GetGuid() ?? throw new InvalidOperationException($"warm-up start failed: {string.Join(" | ", errors)}");
            await SendAsync(http, HttpMethod.Get, $"/api/v1/sessions/{id}", token, null, clock.Elapsed, clock, reads, errors);
            for (var k = 0; k < Answers.Length; k++)
            {
                await SendAsync(http, HttpMethod.Put, $"/api/v1/sessions/{id}/responses/q{(k % 3) + 1}", token, $"{{\"answer\": {Answers[k]}}}", clock.Elapsed, clock, saves, errors);
            }
            await SendAsync(http, HttpMethod.Post, $"/api/v1/sessions/{id}/submit", token, null, clock.Elapsed, clock, submits, errors);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# warm-up, one candidate at a time, last 4 of 8: start {Last(starts)} ms, read {Last(reads)} ms, autosave {Last(saves)} ms, submit {Last(submits)} ms"));
        if (!errors.IsEmpty)
        {
            throw new InvalidOperationException($"warm-up failed: {string.Join(" | ", errors)}");
        }
    }

    /// <summary>Waits until <paramref name="due"/>, sends, and records the milliseconds from due to the whole answer.</summary>
    private static async Task<JsonElement?> SendAsync(
        HttpClient http, HttpMethod method, string path, string token, string? json, TimeSpan due, Stopwatch clock, ConcurrentBag<double> latencies, ConcurrentQueue<string> errors)
    {
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            latencies.Add((clock.Elapsed - due).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                errors.Enqueue($"{method} {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
                return null;
            }
            return response.StatusCode == HttpStatusCode.NoContent || body.Length == 0 ? default(JsonElement) : JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            errors.Enqueue($"{method} {path}: {e.GetType().Name} {e.Message}");
            return null;
        }
    }

    private static string Last(ConcurrentBag<double> latencies) =>
        string.Join("/", latencies.Reverse().TakeLast(4).Select(l => l.ToString("0.0", CultureInfo.InvariantCulture)));

    private static List<double> Sorted(IEnumerable<double> values) => values.Order().ToList();
}
