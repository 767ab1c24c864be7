using System.Net.Http.Headers;
using LearnPlatform.Api;
using LearnPlatform.Api.Identity;
using LearnPlatform.LocalDev;
using LearnPlatform.Core.Data;
using LearnPlatform.LocalDev.LocalPostgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// The real API on Kestrel at a loopback port, over its own database, with the real Auth Emulator
/// (or, when <see cref="TestAppOptions.Settings"/> says so, signed tokens checked against a local key endpoint).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient emulatorHttp;

    private TestApp(WebApplication app, LocalDatabase database, CapturedLogs logs, AuthEmulator emulator)
    {
        this.app = app;
        Database = database;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress };
        emulatorHttp = new HttpClient { BaseAddress = emulator.BaseUri };
        Emulator = new AuthEmulatorClient(emulatorHttp, emulator.ProjectId);
    }

    /// <summary>The attempt ledger's HMAC key, generated for this test run.</summary>
    public static readonly string AttemptLedgerKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public LocalDatabase Database { get; }
    public CapturedLogs Logs { get; }
    public AuthEmulatorClient Emulator { get; }
    public IServiceProvider Services => app.Services;

    /// <param name="database">Another app's database: two replicas over one database, or the app started again over the same data (a restart); a new one when null.</param>
    /// <param name="environment">The hosting environment; Production refuses emulator mode, so remove FIREBASE_AUTH_EMULATOR_HOST in <paramref name="settings"/>.</param>
    public static async Task<TestApp> StartAsync(
        Action<Dictionary<string, string?>>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        LocalDatabase? database = null,
        string environment = "Testing")
    {
        var postgres = await TestPostgres.InstanceAsync();
        var emulator = await TestEmulator.InstanceAsync();
        database ??= await postgres.CreateDatabaseAsync();

        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.AppConnectionString,
            ["Firebase:ProjectId"] = emulator.ProjectId,
            ["FIREBASE_AUTH_EMULATOR_HOST"] = emulator.Host,
            // Every test calls from 127.0.0.1; the rate-limit tests set their own limits.
            ["RateLimits:Policies:guest-sessions:PermitLimit"] = "100000",
            ["RateLimits:Policies:exam-listing:PermitLimit"] = "100000",
            ["RateLimits:Policies:ai:PermitLimit"] = "100000",
            ["RateLimits:Policies:code_runs:PermitLimit"] = "100000",
            // Workers wake on notifications; the short poll matters only to tests that move a manual clock.
            ["Workflows:PollInterval"] = "00:00:00.200",
            ["Grading:RetryInitialInterval"] = "00:00:00.100",
            ["Privacy:AttemptLedgerKey"] = AttemptLedgerKey,
        };
        settings?.Invoke(config);

        var logs = new CapturedLogs();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(config);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        configure?.Invoke(builder);

        var app = LearnPlatformApp.Build(builder);
        await app.StartAsync();
        return new TestApp(app, database, logs, emulator);
    }

    /// <summary>A tenant created the way the operator CLI does it, with the owner's connection.</summary>
    public async Task<Guid> CreateTenantAsync(string? firebaseTenant = null)
    {
        var tenant = new Tenant { Name = $"Tenant {Guid.NewGuid():N}", FirebaseTenantId = firebaseTenant, CreatedAt = DateTimeOffset.UtcNow };
        await using var dataSource = NpgsqlDataSource.Create(Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenant.Id);
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync();
        return tenant.Id;
    }

    public async Task SetRoleAsync(Guid tenantId, string uid, string role)
    {
        await using var dataSource = NpgsqlDataSource.Create(Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        db.Memberships.Add(new Membership { TenantId = tenantId, Uid = uid, Role = role, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    /// <summary>A new emulator account with the tenant claim (if any) and role, signed in: its real ID token.</summary>
    public async Task<TestUser> SignUpAsync(Guid? tenantId, string role = Roles.Candidate)
    {
        var uid = $"u{Guid.NewGuid():N}";
        var email = $"{uid}@example.test";
        const string password = "password-123";
        await Emulator.CreateUserAsync(uid, email, password);
        if (tenantId is { } tenant)
        {
            await Emulator.SetCustomClaimsAsync(uid, new Dictionary<string, string> { ["tenant_id"] = tenant.ToString() });
            if (role != Roles.Candidate)
            {
                await SetRoleAsync(tenant, uid, role);
            }
        }
        return new TestUser(uid, tenantId, await Emulator.SignInAsync(email, password));
    }

    public HttpClient ClientWithBearer(string token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient ClientWithGuestToken(string token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add(CredentialAuthenticationHandler.GuestTokenHeader, token);
        return client;
    }

    public T Service<T>() where T : notnull => app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        emulatorHttp.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record TestUser(string Uid, Guid? TenantId, string IdToken);

/// <summary>A test class's app: one database per class, started once for the class.</summary>
public class AppFixture : IAsyncLifetime
{
    public TestApp App { get; protected set; } = null!;

    public virtual async Task InitializeAsync() => App = await TestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>An app whose clock the tests move by hand.</summary>
public sealed class ClockedAppFixture : AppFixture
{
    public ManualClock Clock { get; } = new();

    public override async Task InitializeAsync() =>
        App = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<TimeProvider>(Clock));
}
