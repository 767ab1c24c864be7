using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;

namespace LearnPlatform.UnitTests.Ai;

public sealed class AiCapsTests
{
    [Fact]
    public void BuiltInCapsAreTheSeedDocumentsDefaults()
    {
        var caps = new AiCapsOptions().For(Guid.NewGuid());

        Assert.Equal(new AiCapValues(200, 80, 50, 100, 100m, 10m, Transcriptions: 30), caps);
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

        Assert.Equal(new AiCapValues(7, 80, 3, 100, 5m, 0.5m), options.For(tenant));
        Assert.Equal(new AiCapValues(200, 80, 10, 100, 5m, 0.5m), options.For(Guid.NewGuid()));
    }

    [Fact]
    public void TheGuestBudgetIsATenthOfTheTenantsCapUnlessSetItself()
    {
        var tenant = Guid.NewGuid();
        var guests = Guid.NewGuid();
        var options = new AiCapsOptions
        {
            Tenants =
            {
                [tenant.ToString()] = new AiCapSettings { MonthlySpendUsd = 42m },
                [guests.ToString()] = new AiCapSettings { MonthlySpendUsd = 42m, GuestAiMonthlyUsd = 1.25m },
            },
        };

        Assert.Equal(10m, options.For(Guid.NewGuid()).GuestAiMonthlyUsd);
        Assert.Equal(4.2m, options.For(tenant).GuestAiMonthlyUsd);
        Assert.Equal(1.25m, options.For(guests).GuestAiMonthlyUsd);
        Assert.Equal(0m, new AiCapsOptions { Defaults = new AiCapSettings { GuestAiMonthlyUsd = 0m } }.For(tenant).GuestAiMonthlyUsd);
    }

    [Fact]
    public void EachKindOfCallHasItsOutputLimitAndThinkingBudget()
    {
        var calls = new AiCallOptions();

        Assert.Equal(new GeminiOutputLimits(1024, 0), calls.For(AiCallKind.Hint));
        Assert.Equal(new GeminiOutputLimits(8192, 2048), calls.For(AiCallKind.Generation));
        Assert.Equal(new GeminiOutputLimits(4096, 1024), calls.For(AiCallKind.Evaluation));
        Assert.Equal(new GeminiOutputLimits(4096, 0), calls.For(AiCallKind.Transcription));
        Assert.True(calls.IsValid());
        Assert.False(new AiCallOptions { Transcription = new AiCallLimitSettings { MaxOutputTokens = 0 } }.IsValid());
        Assert.False(new AiCallOptions { Hint = new AiCallLimitSettings { MaxOutputTokens = 100, ThinkingBudget = 100 } }.IsValid());
        Assert.False(new AiCallOptions { Evaluation = new AiCallLimitSettings { MaxOutputTokens = 0 } }.IsValid());
        Assert.False(new AiCallOptions { Generation = new AiCallLimitSettings { MaxOutputTokens = 10, ThinkingBudget = -1 } }.IsValid());
    }

    [Fact]
    public void APromptsTokenBoundIsItsUtf8BytesPlusFraming()
    {
        var schema = new System.Text.Json.Nodes.JsonObject { ["type"] = "OBJECT" };
        var request = new GeminiRequest("abc", "ü字", schema);

        // 3 + 2 + 3 bytes of text, the schema's {"type":"OBJECT"} (17), and 64 for the turn markers.
        Assert.Equal(3 + 5 + 17 + 64, request.PromptTokenBound());
    }

    [Fact]
    public void InlineAudioIsBoundedAt32TokensPerSecondOfTheLowestSpeechBitrate()
    {
        var schema = new System.Text.Json.Nodes.JsonObject { ["type"] = "OBJECT" };
        // 7,501 bytes at 750 bytes a second are at most 11 seconds, 352 tokens.
        var request = new GeminiRequest("abc", "ü字", schema, new GeminiInlineAudio("audio/ogg", new byte[7_501]));

        Assert.Equal(352, request.AudioTokenBound());
        Assert.Equal(3 + 5 + 17 + 64 + 352, request.PromptTokenBound());
        Assert.Equal(0, new GeminiRequest("abc", "", schema).AudioTokenBound());
        Assert.Equal("GeminiInlineAudio(audio/ogg, 7501 bytes)", request.Audio!.ToString());
    }

    [Fact]
    public void AudioInputIsPricedApartFromText()
    {
        var prices = new AiPricesOptions();

        // 1M prompt tokens of which 400k audio: 600k text at 0.30 + 400k audio at 1.00 + 100k output at 2.50.
        Assert.Equal(0.18m + 0.40m + 0.25m, prices.Cost(1_000_000, 100_000, audioInputTokens: 400_000));
        Assert.Equal(0.30m + 0.25m, prices.Cost(1_000_000, 100_000));
    }

    [Theory]
    [InlineData(5, "hello", false)]
    [InlineData(3, "hel", true)]
    [InlineData(2, "😀😀", true)]
    public void AnAnswerIsCutAtItsFirstCharactersNeverInsideOne(int max, string expected, bool truncated)
    {
        Assert.Equal((expected, truncated), AiInput.Bound(max == 2 ? "😀😀😀" : "hello", max));
    }

    [Fact]
    public void TheAnswerBoundIs20000Characters()
    {
        var (text, truncated) = AiInput.Bound(new string('a', 20_001));

        Assert.Equal((20_000, true), (text.Length, truncated));
        Assert.False(AiInput.Bound(new string('a', 20_000)).Truncated);
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
        Assert.Equal(new DateOnly(2026, 12, 1), AiLedger.MonthOf(new DateTimeOffset(2026, 11, 30, 22, 30, 0, TimeSpan.FromHours(-5))));
    }
}
