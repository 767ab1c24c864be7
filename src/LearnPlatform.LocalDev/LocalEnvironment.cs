using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;

namespace LearnPlatform.LocalDev;

/// <summary>
/// The embedded defaults of a local run: when no database is configured (and only outside Production) it
/// starts a private PostgreSQL cluster under .local/, migrates and seeds it, and starts the Firebase Auth
/// Emulator when Node and firebase-tools are there, and the code sandbox when bubblewrap is there. Disposing it stops
/// everything it started.
/// </summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    public const string DefaultProjectId = "demo-learnplatform";
    private const int EmulatorPort = 9099;

    private LocalPostgresCluster? cluster;
    private AuthEmulator? emulator;
    private LocalSandbox? sandbox;

    public static async Task<LocalEnvironment?> StartIfNeededAsync(WebApplicationBuilder builder, CancellationToken ct)
    {
        var configuration = builder.Configuration;
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
        {
            return null;
        }
        if (builder.Environment.IsProduction())
        {
            throw new LocalRunException("ConnectionStrings__Postgres is not set; in Production the service needs a database connection.");
        }

        var root = RepositoryRoot.Find() ?? Directory.GetCurrentDirectory();
        var local = new LocalEnvironment();
        try
        {
            Console.WriteLine("Starting a private PostgreSQL cluster under .local/postgres ...");
            local.cluster = await LocalPostgresCluster.StartAsync(Path.Combine(root, ".local", "postgres"), durable: true, ct);
            var database = await local.cluster.Provisioner.EnsureDatabaseAsync("learnplatform", ct: ct);
            await local.cluster.Provisioner.EnsurePartmanAsync(database, ct);
            await DatabaseMigrator.MigrateAsync(database.OwnerConnectionString, database.AppConnectionString, ct);
            await DemoSeed.SeedDatabaseAsync(database.OwnerConnectionString, ct);
            var settings = new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.AppConnectionString };

            var projectId = configuration["Firebase:ProjectId"] is { Length: > 0 } configured ? configured : DefaultProjectId;
            settings["Firebase:ProjectId"] = projectId;
            if (string.IsNullOrEmpty(configuration["FIREBASE_AUTH_EMULATOR_HOST"]))
            {
                if (AuthEmulator.FindCli(root) is { } cli)
                {
                    Console.WriteLine("Starting the Firebase Auth Emulator ...");
                    local.emulator = await AuthEmulator.StartAsync(cli, projectId, EmulatorPort, ct);
                    await DemoSeed.SeedEmulatorAsync(local.emulator, ct);
                    settings["FIREBASE_AUTH_EMULATOR_HOST"] = local.emulator.Host;
                }
                else
                {
                    Console.WriteLine("Node or firebase-tools not found (run `npm ci`): no Auth Emulator; only real Firebase tokens will be accepted.");
                }
            }
            if (string.IsNullOrEmpty(configuration["Sandbox:BaseUrl"]))
            {
                local.sandbox = await LocalSandbox.StartIfPossibleAsync(root, ct);
                if (local.sandbox is not null)
                {
                    settings["Sandbox:BaseUrl"] = local.sandbox.BaseUrl.ToString();
                    settings["Sandbox:Secret"] = local.sandbox.Secret;
                }
            }
            configuration.AddInMemoryCollection(settings);
            return local;
        }
        catch
        {
            await local.DisposeAsync();
            throw;
        }
    }

    public void PrintWalkThrough(string baseUrl, bool gradingWithAi)
    {
        Console.WriteLine($"""

            LearnPlatform is running (local defaults).
              API:            {baseUrl}
              Health:         {baseUrl}/healthz   {baseUrl}/readyz
              PostgreSQL:     127.0.0.1:{cluster?.Port} (data in .local/postgres; log in .local/postgres/postgres.log)
              Auth Emulator:  {(emulator is null ? "not running" : $"http://{emulator.Host}")}
              Code sandbox:   {(sandbox is null ? "not running (code answers wait for review)" : $"{sandbox.BaseUrl} (log in .local/sandbox.log)")}
              Demo tenant:    {DemoSeed.TenantId} (admin: {DemoSeed.AdminEmail}, candidate: {DemoSeed.CandidateEmail}, password {DemoSeed.Password})
              Demo exam:      {DemoSeed.PaperId} "Python basics (demo)", open to guests
            """);
        if (emulator is not null)
        {
            Console.WriteLine($$"""

                Try it (copy and paste into another terminal):
                  token() { curl -s 'http://{{emulator.Host}}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any' \
                    -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"{{DemoSeed.Password}}\",\"returnSecureToken\":true}" \
                    | sed -nE 's/.*"idToken": *"([^"]+)".*/\1/p'; }
                  ADMIN=$(token {{DemoSeed.AdminEmail}}); CANDIDATE=$(token {{DemoSeed.CandidateEmail}})
                  curl -s {{baseUrl}}/api/v1/me -H "Authorization: Bearer $ADMIN"
                  curl -s {{baseUrl}}/api/v1/exams -H "Authorization: Bearer $CANDIDATE"
                  SESSION=$(curl -s {{baseUrl}}/api/v1/sessions -H "Authorization: Bearer $CANDIDATE" \
                    -H 'Content-Type: application/json' -d '{"paper_id":"{{DemoSeed.PaperId}}"}' | sed -nE 's/^\{"id":"([^"]+)".*/\1/p')
                  curl -s -X PUT {{baseUrl}}/api/v1/sessions/$SESSION/responses/q1 -H "Authorization: Bearer $CANDIDATE" \
                    -H 'Content-Type: application/json' -d '{"answer":["4"]}'
                  curl -s -X PUT {{baseUrl}}/api/v1/sessions/$SESSION/responses/q4 -H "Authorization: Bearer $CANDIDATE" \
                    -H 'Content-Type: application/json' -d '{"answer":"Lists can change after creation; tuples cannot."}'
                  curl -s -X PUT {{baseUrl}}/api/v1/sessions/$SESSION/responses/q5 -H "Authorization: Bearer $CANDIDATE" \
                    -H 'Content-Type: application/json' -d '{"answer":"def add(a, b):\n    return a + b\n"}'
                  # Run the saved code against the visible tests in the sandbox (the demo exam allows it):
                  curl -s -X POST {{baseUrl}}/api/v1/sessions/$SESSION/responses/q5/run -H "Authorization: Bearer $CANDIDATE"
                  # Live telemetry, as the candidate's browser sends it (a small .NET script, run from the repository root):
                  dotnet run tools/telemetry-socket.cs -- {{baseUrl}} $SESSION "Bearer $CANDIDATE"
                  curl -s {{baseUrl}}/api/v1/sessions/$SESSION/events -H "Authorization: Bearer $ADMIN"
                  curl -s {{baseUrl}}/api/v1/sessions/$SESSION/integrity -H "Authorization: Bearer $ADMIN"
                  curl -s -X POST {{baseUrl}}/api/v1/sessions/$SESSION/submit -H "Authorization: Bearer $CANDIDATE"
                  # Wait for grading (a few seconds), then read the result as the candidate:
                  until curl -s {{baseUrl}}/api/v1/sessions/$SESSION/result -H "Authorization: Bearer $CANDIDATE" | grep -Eq '"(graded|needs_review)"'; do sleep 1; done
                  curl -s {{baseUrl}}/api/v1/sessions/$SESSION/result -H "Authorization: Bearer $CANDIDATE"
                  # Graded in-process; {{(sandbox is null ? "without a sandbox the code waits for a human" : "the code by the sandbox (all tests, hidden ones too)")}};
                  # {{(gradingWithAi ? "the essay is graded by Gemini" : "without a Gemini key the essay waits for a human (needs_review)")}}:
                  curl -s {{baseUrl}}/api/v1/sessions/$SESSION/result -H "Authorization: Bearer $ADMIN"
                  curl -s -X PUT {{baseUrl}}/api/v1/sessions/$SESSION/responses/q4/grade -H "Authorization: Bearer $ADMIN" \
                    -H 'Content-Type: application/json' -d '{"score":4,"reason":"Clear on mutability"}'
                  curl -s {{baseUrl}}/api/v1/papers/{{DemoSeed.PaperId}}/grading-summary -H "Authorization: Bearer $ADMIN"
                  # An author checks the reference solution against every test, hidden ones included:
                  curl -s -X POST {{baseUrl}}/api/v1/papers/{{DemoSeed.PaperId}}/questions/q5/check -H "Authorization: Bearer $ADMIN"
                  curl -s {{baseUrl}}/api/v1/papers/{{DemoSeed.PaperId}}/sessions -H "Authorization: Bearer $ADMIN"
                  # A guest, no account: a token for one session of the demo paper.
                  curl -s {{baseUrl}}/api/v1/guest-sessions -H 'Content-Type: application/json' -d '{"paper_id":"{{DemoSeed.PaperId}}"}'
                """);
        }
        Console.WriteLine("\nPress Ctrl-C to stop the service, the database, the emulator and the sandbox.");
    }

    public async ValueTask DisposeAsync()
    {
        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
