using LearnPlatform.Api.Identity.Firebase;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseServiceCollectionExtensionsTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    [Fact]
    public void RegistrationBindsTheFirebaseSectionAndTheEmulatorVariable()
    {
        using var provider = BuildProvider(Environments.Development, new()
        {
            ["Firebase:ProjectId"] = "demo-project",
            ["Firebase:PublicKeysUrl"] = "http://127.0.0.1:1/keys",
            ["Firebase:MinKeyRefreshInterval"] = "00:02:00",
            ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9099",
        });

        var options = provider.GetRequiredService<IOptions<FirebaseOptions>>().Value;

        Assert.Equal("demo-project", options.ProjectId);
        Assert.Equal(new Uri("http://127.0.0.1:1/keys"), options.PublicKeysUrl);
        Assert.Equal(TimeSpan.FromMinutes(2), options.MinKeyRefreshInterval);
        Assert.Equal("127.0.0.1:9099", options.EmulatorHost);
        Assert.Equal(16384, options.MaxTokenLength);
    }

    [Fact]
    public void VerifierKeysAndClockAreSingletons()
    {
        using var provider = BuildProvider(Environments.Production, new() { ["Firebase:ProjectId"] = "p" });

        Assert.Same(provider.GetRequiredService<FirebaseTokenVerifier>(), provider.GetRequiredService<FirebaseTokenVerifier>());
        Assert.Same(provider.GetRequiredService<FirebaseSigningKeys>(), provider.GetRequiredService<FirebaseSigningKeys>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void RegistrationKeepsAnExistingTimeProvider()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);

        using var provider = Register(services, Environments.Production, new() { ["Firebase:ProjectId"] = "p" });

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void StartupValidationRefusesEmulatorModeInProduction()
    {
        using var provider = BuildProvider(Environments.Production, new()
        {
            ["Firebase:ProjectId"] = "p",
            ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9099",
        });

        // IStartupValidator is what the host runs before it starts serving.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("FIREBASE_AUTH_EMULATOR_HOST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupValidationRefusesMissingProjectId()
    {
        using var provider = BuildProvider(Environments.Development, []);

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void StartupValidationAllowsEmulatorModeInDevelopment()
    {
        using var provider = BuildProvider(Environments.Development, new()
        {
            ["Firebase:ProjectId"] = "demo-project",
            ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9099",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.True(provider.GetRequiredService<IOptions<FirebaseOptions>>().Value.IsEmulatorMode);
    }

    [Fact]
    public async Task RegisteredVerifierFetchesKeysFromTheConfiguredUrl()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var provider = BuildProvider(Environments.Development, new()
        {
            ["Firebase:ProjectId"] = TestTokens.ProjectId,
            ["Firebase:PublicKeysUrl"] = endpoint.Url.AbsoluteUri,
        });
        var token = TestTokens.SignedRs256(TestSigningKey.Primary, TestTokens.ValidClaims(DateTimeOffset.UtcNow));

        var result = await provider.GetRequiredService<FirebaseTokenVerifier>().VerifyAsync(token, CancellationToken.None);

        Assert.Equal(TestTokens.Uid, result.User?.Uid);
        Assert.Equal(1, endpoint.RequestCount);
    }

    private static ServiceProvider BuildProvider(string environment, Dictionary<string, string?> settings) =>
        Register(new ServiceCollection(), environment, settings);

    private static ServiceProvider Register(IServiceCollection services, string environment, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(environment));
        services.AddFirebaseTokenVerification(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private sealed class TestHostEnvironment(string environmentName) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = environmentName;

        public string ApplicationName { get; set; } = "LearnPlatform.UnitTests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
