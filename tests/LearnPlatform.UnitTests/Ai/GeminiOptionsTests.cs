using LearnPlatform.Core.Ai.Gemini;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.UnitTests.Ai;

public sealed class GeminiOptionsTests
{
    /// <summary>As the options are bound at every call: onto a new instance, from the section as it stands.</summary>
    private static GeminiOptions Bind(string? model)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gemini:ApiKey"] = "AIzaSy-unit-test", ["Gemini:Model"] = model })
            .Build();
        var options = new GeminiOptions();
        configuration.GetSection(GeminiOptions.SectionName).Bind(options);
        return options;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void AClearedModelMeansTheDefaultModel(string? model)
    {
        Assert.Equal(GeminiOptions.DefaultModel, Bind(model).Model);
    }

    [Fact]
    public void AConfiguredModelIsUsedTrimmed()
    {
        Assert.Equal("gemini-2.5-flash-lite", Bind(" gemini-2.5-flash-lite ").Model);
    }
}
