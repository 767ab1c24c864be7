using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LearnPlatform.LocalDev.LocalPostgres;
using LearnPlatform.Testing;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// G7, exam day: for each class size N, a fresh database and a fresh API process (Release, Production, RS256 tokens,
/// grading on the API's in-process workers), then N simulated candidates who start the same paper within one second,
/// read their session, autosave an answer every few seconds for the length of the exam, and submit; the rules grade
/// every session. A class size passes with zero errors, autosave p99 at most 250 ms and every session graded within
/// 60 s of its submit. The figure is the largest class size that passes, per core of the machine.
/// </summary>
internal static class ExamDayMode
{
    public static async Task<int> RunAsync(string apiDll, IReadOnlyList<int> classSizes, TimeSpan examLength, TimeSpan saveEvery, int? maxPoolSize, bool durable)
    {
        if (!File.Exists(apiDll))
        {
            throw new InvalidOperationException($"{apiDll} does not exist; build it first: dotnet build -c Release src/LearnPlatform.Api");
        }
        var root = Directory.CreateTempSubdirectory("learnplatform-bench-pg-").FullName;
        await using var cluster = await LocalPostgresCluster.StartAsync(root, durable);
        await using var keys = new KeyEndpointServer();
        try
        {
            await keys.InitializeAsync();
            var keyEndpoint = keys.AddEndpoint(TestSigningKey.Primary);
            Report.Machine(durable);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# API {apiDll}; each candidate: start within 1 s of the others, read, autosave every {saveEvery.TotalSeconds:0} s for {examLength.TotalSeconds:0} s, submit; rules-only paper; API connection pool at most {maxPoolSize?.ToString(CultureInfo.InvariantCulture) ?? "the build's default (32 since 2bb5bc0, Npgsql's 100 before)"}; load generator in this process on the same cores"));

            var largest = 0;
            foreach (var candidates in classSizes)
            {
                var db = await cluster.Provisioner.EnsureDatabaseAsync($"bench_exam_day_{candidates}");
                var cli = new Dictionary<string, string>
                {
                    ["ConnectionStrings__PostgresMigrations"] = db.OwnerConnectionString,
                    ["ConnectionStrings__Postgres"] = db.AppConnectionString,
                };
                await ChildProcess.RunAsync(apiDll, cli, "migrate");
                var tenant = Guid.Parse((await ChildProcess.RunAsync(apiDll, cli, "tenants", "create", "--name", "Exam day")).Trim());
                await ChildProcess.RunAsync(apiDll, cli, "members", "add", "--tenant", tenant.ToString(), "--uid", "bench-author", "--role", "author");

                var apiUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
                await using var api = ChildProcess.Start(apiDll, new Dictionary<string, string>
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                    ["ASPNETCORE_URLS"] = apiUrl.ToString(),
                    ["ConnectionStrings__Postgres"] = db.AppConnectionString + (maxPoolSize is { } max ? $";Maximum Pool Size={max}" : ""),
                    ["Firebase__ProjectId"] = TestTokens.ProjectId,
                    ["Firebase__PublicKeysUrl"] = keyEndpoint.Url.ToString(),
                });
                await api.WaitUntilOkAsync(new Uri(apiUrl, "/readyz"));
                var paper = await PublishAsync(apiUrl, tenant);

                var day = await ExamDay.RunAsync(apiUrl, tenant, paper, candidates, examLength, saveEvery);
                var grading = await GradingWatch.WaitAsync(db.SuperuserConnectionString, TimeSpan.FromSeconds(60));
                var passed = Describe(candidates, day, grading);
                largest = passed ? Math.Max(largest, candidates) : largest;
                if (day.Errors.Count > 0)
                {
                    var log = Path.Combine(Path.GetTempPath(), $"learnplatform-exam-day-{candidates}-api.log");
                    await File.WriteAllTextAsync(log, api.Output);
                    Console.WriteLine($"# first errors at {candidates}: {string.Join(" | ", day.Errors.Take(5))}");
                    Console.WriteLine($"# the API's log: {log}");
                }
            }

            var perCore = (double)largest / Environment.ProcessorCount;
            Report.Line("G7", "largest class with zero errors, autosave p99 <= 250 ms, every session graded within 60 s of its submit",
                string.Create(CultureInfo.InvariantCulture, $"{largest} candidates, {perCore:0} per core (Moodle: about 125 concurrent quiz users per vCPU)"),
                bound: "at least 1,250 per core", met: perCore >= 1250);
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

    private static bool Describe(int candidates, ExamDay.Outcome day, GradingWatch.Outcome grading)
    {
        var autosaveP99 = ExamDay.P99(day.Saves);
        var passed = day.Errors.Count == 0 && autosaveP99 <= 250 && grading.Graded == candidates && grading.SlowestSeconds <= 60;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"G7 | {candidates} candidates | start p50 {ExamDay.P50(day.Starts):0} ms p99 {ExamDay.P99(day.Starts):0} ms; read p99 {ExamDay.P99(day.Reads):0} ms; " +
            $"autosave {day.Saves.Count} saves p50 {ExamDay.P50(day.Saves):0} ms p99 {autosaveP99:0} ms; submit p99 {ExamDay.P99(day.Submits):0} ms; " +
            $"graded {grading.Graded}/{candidates}, submit to graded p50 {grading.P50Seconds:0.0} s max {grading.SlowestSeconds:0.0} s; " +
            $"{day.Errors.Count} errors | - | {(passed ? "passed" : "failed")}"));
        return passed;
    }

    /// <summary>A published paper that the rules grade alone: two choice questions and a short text.</summary>
    private static async Task<Guid> PublishAsync(Uri apiUrl, Guid tenant)
    {
        using var author = new HttpClient { BaseAddress = apiUrl };
        author.DefaultRequestHeaders.Authorization = new("Bearer", ApiMode.Token("bench-author", tenant));
        var created = await ApiMode.Ok(await author.PostAsJsonAsync("/api/v1/papers", JsonSerializer.Deserialize<JsonElement>(Paper)));
        var paper = created.GetProperty("id").GetGuid();
        await ApiMode.Ok(await author.PostAsync($"/api/v1/papers/{paper}/publish", null));
        return paper;
    }

    private const string Paper = """
        {
          "title": "Exam day",
          "time_limit_seconds": 10800,
          "max_attempts": 1,
          "guest_access": false,
          "questions": [
            {"id": "q1", "kind": "single_choice", "prompt": "2+2?", "options": ["3", "4"], "correct": ["4"], "points": 1},
            {"id": "q2", "kind": "multiple_choice", "prompt": "Even numbers?", "options": ["1", "2", "4"], "correct": ["2", "4"], "points": 2},
            {"id": "q3", "kind": "short_text", "prompt": "Keyword that defines a function?", "correct": ["def"], "points": 1}
          ]
        }
        """;
}
