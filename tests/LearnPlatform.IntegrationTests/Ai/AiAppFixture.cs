using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>
/// The app pointed at a Gemini stand-in, with a platform key, and tenants whose ids are fixed before the app starts
/// so configuration can name them: one with small caps, one with a small total cap, one with its own key, one with
/// a tiny monthly spend cap, one whose guests have a tiny budget of their own. Every log line is captured, down to Trace, so tests can prove a key never reaches one.
/// </summary>
public class AiAppFixture : IAsyncLifetime
{
    public const string PlatformKey = "AIzaSyPLATFORM-test-key-0b5e1c";
    public const string TenantKey = "AIzaSyTENANT-test-key-77d2a0";

    public TestApp App { get; private set; } = null!;
    internal GeminiStandIn Gemini { get; private set; } = null!;

    public Guid CappedTenant { get; } = Guid.CreateVersion7();
    public Guid TotalCappedTenant { get; } = Guid.CreateVersion7();
    public Guid KeyedTenant { get; } = Guid.CreateVersion7();
    public Guid SpendTenant { get; } = Guid.CreateVersion7();
    public Guid GuestCappedTenant { get; } = Guid.CreateVersion7();

    protected virtual string? ConfiguredPlatformKey => PlatformKey;

    public async Task InitializeAsync()
    {
        Gemini = await GeminiStandIn.StartAsync();
        App = await TestApp.StartAsync(
            settings =>
            {
                settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
                settings["Gemini:ApiKey"] = ConfiguredPlatformKey;
                // Long enough that 30 parallel hints on a loaded machine do not time out; the slow-Gemini test waits 10 s.
                settings["Gemini:Timeout"] = "00:00:03";
                settings[$"Gemini:TenantKeys:{KeyedTenant}"] = TenantKey;
                settings[$"Ai:Caps:Tenants:{CappedTenant}:Hints"] = "5";
                settings[$"Ai:Caps:Tenants:{CappedTenant}:Generations"] = "2";
                settings[$"Ai:Caps:Tenants:{TotalCappedTenant}:Total"] = "2";
                settings[$"Ai:Caps:Tenants:{SpendTenant}:MonthlySpendUsd"] = "0.01";
                settings[$"Ai:Caps:Tenants:{GuestCappedTenant}:GuestAiMonthlyUsd"] = "0.0001";
            },
            builder => builder.Logging.SetMinimumLevel(LogLevel.Trace));
        foreach (var tenant in new[] { CappedTenant, TotalCappedTenant, KeyedTenant, SpendTenant, GuestCappedTenant })
        {
            await CreateTenantAsync(App, tenant);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        if (Gemini is not null)
        {
            await Gemini.DisposeAsync();
        }
    }

    /// <summary>A tenant with an id chosen before the app started, so its configuration can name it.</summary>
    internal static async Task CreateTenantAsync(TestApp app, Guid id)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, id);
        db.Tenants.Add(new Tenant { Id = id, Name = $"AI tenant {id:N}", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }
}

/// <summary>The same app with no platform key.</summary>
public sealed class NoPlatformKeyFixture : AiAppFixture
{
    protected override string? ConfiguredPlatformKey => null;
}
