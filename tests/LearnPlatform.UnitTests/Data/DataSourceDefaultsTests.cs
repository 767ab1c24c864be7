using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.UnitTests.Data;

/// <summary>The application's data source chooses pool size, auto-prepare and GSS unless the connection string does.</summary>
public sealed class DataSourceDefaultsTests
{
    private static NpgsqlConnectionStringBuilder SettingsOf(string connectionString)
    {
        using var dataSource = DataServiceCollectionExtensions.CreateDataSource(connectionString);
        return new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
    }

    [Fact]
    public void AConnectionStringThatSaysNothingGetsTheApplicationsDefaults()
    {
        var settings = SettingsOf("Host=db.internal;Username=learnplatform_app;Database=learnplatform");

        Assert.Equal(DataServiceCollectionExtensions.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.Equal(DataServiceCollectionExtensions.AutoPreparedStatements, settings.MaxAutoPrepare);
        Assert.Equal(GssEncryptionMode.Disable, settings.GssEncryptionMode);
    }

    [Theory]
    [InlineData("Maximum Pool Size=100;Max Auto Prepare=0;Gss Encryption Mode=Prefer")]
    [InlineData("maxpoolsize=100;MaxAutoPrepare=0;gss encryption mode=Prefer")]
    public void WhatTheConnectionStringSetsIsKeptEvenWhenItIsNpgsqlsOwnDefault(string overrides)
    {
        var settings = SettingsOf($"Host=db.internal;Username=learnplatform_app;{overrides}");

        Assert.Equal(100, settings.MaxPoolSize);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal(GssEncryptionMode.Prefer, settings.GssEncryptionMode);
    }
}
