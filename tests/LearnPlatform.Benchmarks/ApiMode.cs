using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LearnPlatform.LocalDev.LocalPostgres;
using LearnPlatform.Testing;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// G1, G1b and G2: the API (a Release build, in Production, its own process) under wrk on loopback, with RS256 tokens
/// signed by a key made for this run and served from a local key endpoint. Each figure is measured right after its
/// yardstick, in the same run, at the same concurrency: a bare Kestrel JSON app for /me, a bare Kestrel app doing one
/// pooled Npgsql query for the session read, and pgbench -N on the same cluster (fsync on) for autosave.
/// </summary>
internal static class ApiMode
{
    private const int Candidates = 64;
    private static readonly string[] Answers = ["[\"4\"]", "[\"2\",\"4\"]", "\"def\"", "\"Lists are mutable, tuples are not.\"", "\"def add(a, b):\\n    return a + b\""];

    /// <param name="only">G1, G1b or G2 to measure that figure alone (and its yardstick); null for all three.</param>
    public static async Task<int> RunAsync(string apiDll, int seconds, int threads, int connections, bool durable, string? only = null)
    {
        if (!File.Exists(apiDll))
        {
            throw new InvalidOperationException($"{apiDll} does not exist; build it first: dotnet build -c Release src/LearnPlatform.Api");
        }
        var benchmarkDll = typeof(ApiMode).Assembly.Location;
        var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
        await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
        await using var keys = new KeyEndpointServer();
        try
        {
            var db = await cluster.Provisioner.EnsureDatabaseAsync("bench_api");
            var pgbenchDb = await cluster.Provisioner.EnsureDatabaseAsync("bench_pgbench");
            var cli = new Dictionary<string, string>
            {
                ["ConnectionStrings__PostgresMigrations"] = db.OwnerConnectionString,
                ["ConnectionStrings__Postgres"] = db.AppConnectionString,
            };
            await ChildProcess.RunAsync(apiDll, cli, "migrate");
            var tenant = Guid.Parse((await ChildProcess.RunAsync(apiDll, cli, "tenants", "create", "--name", "Bench")).Trim());
            await ChildProcess.RunAsync(apiDll, cli, "members", "add", "--tenant", tenant.ToString(), "--uid", "bench-author", "--role", "author");

            await keys.InitializeAsync();
            var endpoint = keys.AddEndpoint(TestSigningKey.Primary);
            var apiUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            await using var api = ChildProcess.Start(apiDll, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = apiUrl.ToString(),
                ["ConnectionStrings__Postgres"] = db.AppConnectionString,
                ["Firebase__ProjectId"] = TestTokens.ProjectId,
                ["Firebase__PublicKeysUrl"] = endpoint.Url.ToString(),
            });
            await api.WaitUntilOkAsync(new Uri(apiUrl, "/readyz"));

            var (sessions, tokens) = await SeedAsync(apiUrl, tenant);
            Report.Machine(durable);
            Console.WriteLine($"# API {apiDll}; {Candidates} candidates with a session of one 5-question paper; load {threads} wrk threads, {connections} connections, {seconds} s per figure after a {WarmUpSeconds} s warm-up");

            var noResult = new Wrk.Result("-", 0, 0, 0, 0, 0);
            var (meResult, readResult, saveResult) = (noResult, noResult, noResult);

            // G1b: /me against a bare Kestrel app answering the same JSON.
            var me = Enumerable.Range(0, Candidates).Select(i => new WrkRequest("GET", "/api/v1/me", Bearer(tokens[i]))).ToList();
            if (only is null or "G1b")
            {
                var bareJson = await YardstickAsync(benchmarkDll, [Yardsticks.BareJson], [new WrkRequest("GET", "/me", new Dictionary<string, string>())], seconds, threads, connections);
                meResult = await LoadAsync(apiUrl, me, seconds, threads, connections);
                Report.Line("yardstick", $"bare Kestrel JSON app, {bareJson.Command}", Describe(bareJson));
                Report.Line("G1b", $"GET /api/v1/me (RS256 token), {meResult.Command}", Describe(meResult), meResult.RequestsPerSecond / bareJson.RequestsPerSecond, 0.3, "bare JSON rps");
            }

            // G1: the candidate's session read against a bare app doing one pooled query for the same session row.
            var read = Enumerable.Range(0, Candidates).Select(i => new WrkRequest("GET", $"/api/v1/sessions/{sessions[i]}", Bearer(tokens[i]))).ToList();
            if (only is null or "G1")
            {
                var bareQuery = await YardstickAsync(benchmarkDll, [Yardsticks.BareQuery, "", db.SuperuserConnectionString],
                    sessions.Select(s => new WrkRequest("GET", $"/sessions/{s}", new Dictionary<string, string>())).ToList(), seconds, threads, connections);
                readResult = await LoadAsync(apiUrl, read, seconds, threads, connections);
                Report.Line("yardstick", $"bare Kestrel app, one pooled Npgsql query, {bareQuery.Command}", Describe(bareQuery));
                Report.Line("G1", $"GET /api/v1/sessions/{{id}} (candidate token), {readResult.Command}", Describe(readResult), readResult.RequestsPerSecond / bareQuery.RequestsPerSecond, 0.5, "bare single-query rps");
            }

            // G2: autosave (one commit per save) against pgbench -N (one commit per five statements) at the same concurrency.
            var saves = Enumerable.Range(0, Candidates * Answers.Length)
                .Select(i => (Candidate: i % Candidates, Question: i / Candidates))
                .Select(x => new WrkRequest("PUT", $"/api/v1/sessions/{sessions[x.Candidate]}/responses/q{x.Question + 1}",
                    new Dictionary<string, string>(Bearer(tokens[x.Candidate])) { ["Content-Type"] = "application/json" },
                    $"{{\"answer\": {Answers[x.Question]}}}"))
                .ToList();
            if (only is null or "G2")
            {
                var pgbench = await Pgbench.RunAsync(PostgresBinaries.FindBinDirectory(), pgbenchDb.OwnerConnectionString, clients: connections, threads: threads, seconds);
                saveResult = await LoadAsync(apiUrl, saves, seconds, threads, connections);
                Report.Line("yardstick", pgbench.Command, $"{pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms, p99 {pgbench.LatencyP99Ms:0.00} ms");
                Report.Line("G2", $"PUT /api/v1/sessions/{{id}}/responses/{{q}} (autosave), {saveResult.Command}", Describe(saveResult), saveResult.RequestsPerSecond / pgbench.Tps, 0.7, "pgbench -N tps");
                Report.Line("G2", "autosave p99", $"{saveResult.P99Ms:0.00} ms", bound: "at most 25 ms", met: saveResult.P99Ms <= 25);
            }

            if (meResult.Errors + readResult.Errors + saveResult.Errors > 0)
            {
                Console.WriteLine($"# errors: /me {meResult.Errors}, session read {readResult.Errors}, autosave {saveResult.Errors}\n{api.Output}");
                return 1;
            }
            return 0;
        }
        finally
        {
            await cluster.StopAsync();
            if (durable)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>
    /// Load before each measured figure, the same requests, so the figure is the API's steady state: the tiered JIT
    /// (dynamic PGO instruments hot methods before it optimises them) still took 16 % of the API's CPU during a
    /// session-read measurement after a 10 s warm-up, and under 1 % after 30 s (docs/benchmarks.md).
    /// </summary>
    private const int WarmUpSeconds = 30;

    private static string Describe(Wrk.Result result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.RequestsPerSecond:0} rps, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, {result.Errors} errors");

    private static async Task<Wrk.Result> LoadAsync(Uri url, IReadOnlyList<WrkRequest> requests, int seconds, int threads, int connections)
    {
        await Wrk.RunAsync(url, requests, threads, connections, WarmUpSeconds);
        return await Wrk.RunAsync(url, requests, threads, connections, seconds);
    }

    private static async Task<Wrk.Result> YardstickAsync(string benchmarkDll, string[] serve, IReadOnlyList<WrkRequest> requests, int seconds, int threads, int connections)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        string[] arguments = ["--serve", serve[0], url.ToString(), .. serve.Skip(2)];
        await using var server = ChildProcess.Start(benchmarkDll, new Dictionary<string, string>(), arguments);
        await server.WaitUntilOkAsync(new Uri(url, "/healthz"));
        return await LoadAsync(url, requests, seconds, threads, connections);
    }

    /// <summary>A published paper (the contract's sample), a session per candidate, and an answer already saved in each.</summary>
    private static async Task<(Guid[] Sessions, string[] Tokens)> SeedAsync(Uri apiUrl, Guid tenant)
    {
        using var author = Client(apiUrl, Token("bench-author", tenant));
        var created = await author.PostAsJsonAsync("/api/v1/papers", JsonSerializer.Deserialize<JsonElement>(Paper));
        var paper = (await Ok(created)).GetProperty("id").GetGuid();
        await Ok(await author.PostAsync($"/api/v1/papers/{paper}/publish", null));

        var tokens = Enumerable.Range(1, Candidates).Select(i => Token($"bench-candidate-{i}", tenant)).ToArray();
        var sessions = new Guid[Candidates];
        for (var i = 0; i < Candidates; i++)
        {
            using var candidate = Client(apiUrl, tokens[i]);
            sessions[i] = (await Ok(await candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper }))).GetProperty("id").GetGuid();
            await Ok(await candidate.PutAsync($"/api/v1/sessions/{sessions[i]}/responses/q3", JsonContent.Create(new { answer = "def" })));
        }
        return (sessions, tokens);
    }

    internal static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<JsonElement>(body)
            : throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
    }

    private static HttpClient Client(Uri apiUrl, string token)
    {
        var client = new HttpClient { BaseAddress = apiUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = $"Bearer {token}" };

    /// <summary>A Firebase ID token as Google signs it (RS256), valid for two hours, naming the tenant in a custom claim.</summary>
    internal static string Token(string uid, Guid tenant)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = TestTokens.ValidClaims(now);
        claims["sub"] = uid;
        claims["user_id"] = uid;
        claims["tenant_id"] = tenant.ToString();
        claims["exp"] = now.AddHours(2).ToUnixTimeSeconds();
        ((Dictionary<string, object?>)claims["firebase"]!).Remove("tenant");
        return TestTokens.SignedRs256(TestSigningKey.Primary, claims);
    }

    private const string Paper = """
        {
          "title": "Python basics",
          "time_limit_seconds": 10800,
          "max_attempts": 1,
          "guest_access": false,
          "questions": [
            {"id": "q1", "kind": "single_choice", "prompt": "2+2?", "options": ["3", "4"], "correct": ["4"], "points": 1},
            {"id": "q2", "kind": "multiple_choice", "prompt": "Even numbers?", "options": ["1", "2", "4"], "correct": ["2", "4"], "points": 2},
            {"id": "q3", "kind": "short_text", "prompt": "Keyword that defines a function?", "correct": ["def"], "points": 1},
            {"id": "q4", "kind": "essay", "prompt": "Explain list vs tuple.", "rubric": "Mutability (2), use cases (2), syntax (1)", "points": 5},
            {"id": "q5", "kind": "code", "language": "python", "prompt": "Write add(a, b).", "tests": [{"call": "add(2, 3)", "expected": "5"}], "points": 3}
          ]
        }
        """;
}
