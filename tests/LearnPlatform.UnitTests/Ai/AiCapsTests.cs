using LearnPlatform.Core.Ai;

namespace LearnPlatform.UnitTests.Ai;

public sealed class AiCapsTests
{
    [Fact]
    public void BuiltInCapsAreTheSeedDocumentsDefaults()
    {
        var caps = new AiCapsOptions().For(Guid.NewGuid());

        Assert.Equal(new AiCapValues(200, 80, 50, 100, 100m), caps);
    }

    [Fact]
    public void TenantValuesOverrideDefaultsWhichOverrideBuiltIns()
    {
        var tenant = Guid.NewGuid();
        var options = new AiCapsOptions
        {
            Defaults = new AiCapSettings { Hints = 10, MonthlySpendUsd = 5m },
            Tenants = { [tenant.ToString().ToUpperInvariant()] = new AiCapSettings { Hints = 3, Total = 7 } },
        };

        Assert.Equal(new AiCapValues(7, 80, 3, 100, 5m), options.For(tenant));
        Assert.Equal(new AiCapValues(200, 80, 10, 100, 5m), options.For(Guid.NewGuid()));
    }

    [Fact]
    public void CostCountsInputAndOutputTokensAtTheirPricesPerMillion()
    {
        var prices = new AiPricesOptions();

        Assert.Equal(0.55m, prices.Cost(1_000_000, 100_000));
        Assert.Equal(0.000003m, prices.Cost(10, 0));
        Assert.Equal(0m, prices.Cost(0, 0));
    }

    [Fact]
    public void AuthorScopeIsPerUtcDayAndSpendIsPerUtcMonth()
    {
        var day = new DateOnly(2026, 11, 22);

        Assert.Equal(new AiScope("author:2026-11-22:u1", "u1"), AiScope.AuthorDay("u1", day));
        Assert.NotEqual(AiScope.AuthorDay("u1", day), AiScope.AuthorDay("u1", day.AddDays(1)));
        // Still November in New York, already December in UTC: months are UTC months.
        Assert.Equal(new DateOnly(2026, 12, 1), AiUsageStore.MonthOf(new DateTimeOffset(2026, 11, 30, 22, 30, 0, TimeSpan.FromHours(-5))));
    }
}
