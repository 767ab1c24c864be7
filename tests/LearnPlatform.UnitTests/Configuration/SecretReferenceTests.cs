using LearnPlatform.Core.Configuration;

namespace LearnPlatform.UnitTests.Configuration;

public sealed class SecretReferenceTests
{
    [Theory]
    [InlineData("sm://projects/my-project/secrets/gemini-api-key/versions/latest", "my-project", "gemini-api-key", "latest")]
    [InlineData("sm://projects/123456789012/secrets/POSTGRES_app/versions/7", "123456789012", "POSTGRES_app", "7")]
    [InlineData("sm://projects/my-project/secrets/s/versions/current-alias", "my-project", "s", "current-alias")]
    public void WellFormedReferencesParse(string value, string project, string secret, string version)
    {
        Assert.True(SecretReference.TryParse(value, out var reference));
        Assert.Equal(new SecretReference(project, secret, version), reference);
        Assert.Equal(value, reference.ToString());
        Assert.Equal($"projects/{project}/secrets/{secret}/versions/{version}", reference.ResourceName);
    }

    [Theory]
    [InlineData("sm://projects/my-project/secrets/s")]
    [InlineData("sm://projects/my-project/secrets/s/versions/")]
    [InlineData("sm://projects/my-project/secrets/s/versions/0")]
    [InlineData("sm://projects/my-project/secrets/s/versions/latest/extra")]
    [InlineData("sm://projects/My-Project/secrets/s/versions/latest")]
    [InlineData("sm://projects/my-project/secrets/a.b/versions/latest")]
    [InlineData("sm://projects/../secrets/s/versions/latest")]
    [InlineData("sm://projects/my-project/secrets/s/versions/latest\n")]
    [InlineData("sm://projects/my-project/secrets/s/versions/1?alt=media")]
    public void MalformedReferencesAreRecognisedButDoNotParse(string value)
    {
        Assert.True(SecretReference.LooksLikeReference(value));
        Assert.False(SecretReference.TryParse(value, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Host=db;Password=sm://not-at-the-start")]
    [InlineData("SM://projects/my-project/secrets/s/versions/latest")]
    [InlineData("gsm://projects/my-project/secrets/s/versions/latest")]
    public void OrdinaryValuesAreNotReferences(string? value)
    {
        Assert.False(SecretReference.LooksLikeReference(value));
        Assert.False(SecretReference.TryParse(value, out _));
    }

    [Fact]
    public void KeysAreNamedAsOperatorsWriteThem() =>
        Assert.Equal("ConnectionStrings__Postgres", SecretReferenceResolver.EnvironmentName("ConnectionStrings:Postgres"));
}
