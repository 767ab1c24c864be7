using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseOptionsTests
{
    [Fact]
    public void ValidateRefusesEmulatorModeInProduction()
    {
        var options = new FirebaseOptions { ProjectId = "learnplatform-prod", EmulatorHost = "127.0.0.1:9099" };

        var error = FirebaseOptions.Validate(options, isProduction: true);

        Assert.NotNull(error);
        Assert.Contains("FIREBASE_AUTH_EMULATOR_HOST", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateAllowsEmulatorModeOutsideProduction() =>
        Assert.Null(FirebaseOptions.Validate(new FirebaseOptions { ProjectId = "demo-project", EmulatorHost = "127.0.0.1:9099" }, isProduction: false));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ValidateRequiresProjectId(string projectId)
    {
        var error = FirebaseOptions.Validate(new FirebaseOptions { ProjectId = projectId }, isProduction: false);

        Assert.NotNull(error);
        Assert.Contains("ProjectId", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateAcceptsProductionOptionsWithDefaults() =>
        Assert.Null(FirebaseOptions.Validate(new FirebaseOptions { ProjectId = "learnplatform-prod" }, isProduction: true));

    [Fact]
    public void ValidateRefusesPlainHttpKeysUrlInProductionUnlessLoopback()
    {
        var remote = new FirebaseOptions { ProjectId = "p", PublicKeysUrl = new Uri("http://keys.example.com/certs") };
        var loopback = new FirebaseOptions { ProjectId = "p", PublicKeysUrl = new Uri("http://127.0.0.1:8080/certs") };

        Assert.NotNull(FirebaseOptions.Validate(remote, isProduction: true));
        Assert.Null(FirebaseOptions.Validate(remote, isProduction: false));
        Assert.Null(FirebaseOptions.Validate(loopback, isProduction: true));
    }

    [Fact]
    public void DefaultsFollowFirebase()
    {
        var options = new FirebaseOptions();

        Assert.Equal("https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com", options.PublicKeysUrl.AbsoluteUri);
        Assert.Equal(16384, options.MaxTokenLength);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MinKeyRefreshInterval);
        Assert.False(options.IsEmulatorMode);
    }
}
