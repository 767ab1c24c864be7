using System.Text.Json.Nodes;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Papers;

/// <summary>A valid paper with one question of each kind, and the secrets in it that candidates must never see.</summary>
internal static class PaperSamples
{
    public const string AcceptedAnswer = "def-accepted-answer";
    public const string Rubric = "Mutability (2), use cases (2), syntax (1) RUBRIC-MARK";
    public const string HiddenCall = "add(-7, 11)";
    public const string HiddenExpected = "4-hidden-expected";

    public static JsonObject Valid(string title = "Python basics") =>
        JsonNode.Parse($$"""
            {
              "title": "{{title}}",
              "time_limit_seconds": 1800,
              "max_attempts": 1,
              "guest_access": false,
              "shuffle_questions": true,
              "shuffle_options": false,
              "questions": [
                {"id": "q1", "kind": "single_choice", "prompt": "2+2?", "options": ["3", "4"], "correct": ["4"], "points": 1},
                {"id": "q2", "kind": "multiple_choice", "prompt": "Even numbers?", "options": ["1", "2", "4"], "correct": ["2", "4"], "points": 2},
                {"id": "q3", "kind": "short_text", "prompt": "Keyword that starts a function?", "correct": ["{{AcceptedAnswer}}"], "points": 1, "ai_fallback": true},
                {"id": "q4", "kind": "essay", "prompt": "Explain list vs tuple.", "rubric": "{{Rubric}}", "points": 5},
                {"id": "q5", "kind": "code", "language": "python", "prompt": "Write add(a, b).", "points": 3.5,
                 "tests": [{"call": "add(2, 3)", "expected": "5"}, {"call": "{{HiddenCall}}", "expected": "{{HiddenExpected}}", "hidden": true}]}
              ]
            }
            """)!.AsObject();

    /// <summary>
    /// The paper with the value at <paramref name="path"/> ("questions/0/options") replaced by the JSON
    /// <paramref name="json"/>, or removed when it is null.
    /// </summary>
    public static JsonObject With(this JsonObject paper, string path, string? json)
    {
        var parts = path.Split('/');
        JsonNode parent = paper;
        foreach (var part in parts[..^1])
        {
            parent = int.TryParse(part, out var i) ? parent[i]! : parent[part]!;
        }
        var last = parts[^1];
        var value = json is null ? null : JsonNode.Parse(json);
        if (parent is JsonArray array)
        {
            var index = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
            if (json is null)
            {
                array.RemoveAt(index);
            }
            else
            {
                array[index] = value;
            }
        }
        else if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent[last] = value;
        }
        return paper;
    }

    public static JsonObject WithQuestions(this JsonObject paper, int count)
    {
        var questions = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            questions.Add(new JsonObject { ["id"] = $"q{i}", ["kind"] = QuestionKinds.Essay, ["prompt"] = "Why?", ["rubric"] = "Reasons", ["points"] = 1 });
        }
        paper["questions"] = questions;
        return paper;
    }
}

/// <summary>A tenant with an author and a candidate, each with a real Auth Emulator ID token.</summary>
internal sealed record TenantUsers(Guid TenantId, HttpClient Author, HttpClient Candidate)
{
    public static async Task<TenantUsers> CreateAsync(TestApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var author = await app.SignUpAsync(tenant, Roles.Author);
        var candidate = await app.SignUpAsync(tenant);
        return new TenantUsers(tenant, app.ClientWithBearer(author.IdToken), app.ClientWithBearer(candidate.IdToken));
    }
}

internal static class PaperHttp
{
    public static async Task<JsonElement> CreatePaperAsync(this HttpClient client, JsonObject? paper = null)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/papers", paper ?? PaperSamples.Valid());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> PublishAsync(this HttpClient client, JsonElement paper)
    {
        using var response = await client.PostAsync($"/api/v1/papers/{paper.Id()}/publish", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> UpdatePaperAsync(this HttpClient client, JsonElement paper, JsonObject body)
    {
        using var response = await client.PutAsJsonAsync($"/api/v1/papers/{paper.Id()}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Guid Id(this JsonElement element) => element.GetProperty("id").GetGuid();

    public static int Int(this JsonElement element, string name) => element.GetProperty(name).GetInt32();

    public static string? Str(this JsonElement element, string name) => element.GetProperty(name).GetString();
}
