using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.Ai;

/// <summary>One Gemini call as the guarded work makes it: the key is chosen, and the call is reserved and settled.</summary>
public delegate Task<GeminiResponse> AiCall(GeminiRequest request, CancellationToken cancellationToken);

/// <summary>What AI work is for: the tenant, where its calls count, their kind, and whether a guest asked for it.</summary>
public sealed record AiUse(Guid TenantId, AiScope Scope, AiCallKind Kind, bool Guest);

/// <summary>Why the guard let the work make no call, or no further one.</summary>
public abstract record AiRefusal
{
    /// <summary>No caller key, no tenant key, no platform key.</summary>
    public sealed record NotConfigured : AiRefusal;

    /// <summary>A call cap of the scope is reached; <paramref name="Counter"/> names it.</summary>
    public sealed record CapReached(string Counter, int Limit) : AiRefusal;

    /// <summary>The call's worst case would take a spend cap (<see cref="AiSpendCaps"/>) past its limit this month.</summary>
    public sealed record SpendCapReached(string Cap, decimal LimitUsd, DateOnly Month) : AiRefusal;
}

/// <summary>Ends guarded work from inside a call: a spend cap refused it. The guard turns it into its outcome.</summary>
public sealed class AiRefusedException : Exception
{
    public AiRefusedException()
        : this(new AiRefusal.NotConfigured())
    {
    }

    public AiRefusedException(string message)
        : base(message) => Refusal = new AiRefusal.NotConfigured();

    public AiRefusedException(string message, Exception innerException)
        : base(message, innerException) => Refusal = new AiRefusal.NotConfigured();

    public AiRefusedException(AiRefusal refusal)
        : base("An AI cap refused the call.") => Refusal = refusal;

    public AiRefusal Refusal { get; }
}

/// <summary>The work's value, or why there is none: a refusal, or Gemini's failure. <see cref="KeySource"/> is the key used.</summary>
public sealed record AiOutcome<T>(T? Value, AiRefusal? Refusal, GeminiException? Failure, AiKeySource? KeySource);

/// <summary>
/// The one path every AI call takes, for the AI routes and for grading alike: choose the key (the caller's own, else
/// the tenant's, else the platform's), reserve the request against its scope's call caps, reserve each call's worst
/// case (prompt bound plus output limit) against the spend caps its key and caller count against, call Gemini, then
/// settle the call to what Gemini reported, or to its worst case when that is all there is to go by (a timeout, an
/// abandoned call, an answer without usage), or release it when Gemini refused it. A request keeps its count only
/// when one of its calls was answered. Reservations expire, so a process that dies mid-call leaves nothing counted
/// for ever: the tenant's next reservation reclaims them (<see cref="AiLedger"/>).
/// </summary>
public sealed partial class AiCallGuard(
    NpgsqlDataSource dataSource,
    GeminiClient gemini,
    IOptionsMonitor<GeminiOptions> geminiOptions,
    IOptionsMonitor<AiCapsOptions> caps,
    IOptionsMonitor<AiPricesOptions> prices,
    IOptionsMonitor<AiCallOptions> calls,
    TimeProvider time,
    ILogger<AiCallGuard> logger)
{
    /// <summary>Whether the tenant's AI work has a key to use without the caller's own.</summary>
    public bool HasKey(Guid tenantId) => AiKeys.Choose(geminiOptions.CurrentValue, tenantId, callerKey: null) is not null;

    /// <param name="use">What the work is for.</param>
    /// <param name="callerKey">The caller's own key (bring your own key), or null.</param>
    /// <param name="work">Builds the request(s), calls through the given <see cref="AiCall"/>, and reads the answer.</param>
    /// <param name="ct">Cancels the work; the accounting of a call already out still completes.</param>
    public async Task<AiOutcome<T>> RunAsync<T>(AiUse use, string? callerKey, Func<AiCall, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(use);
        ArgumentNullException.ThrowIfNull(work);
        var settings = geminiOptions.CurrentValue;
        var key = AiKeys.Choose(settings, use.TenantId, callerKey);
        if (key is null)
            return new AiOutcome<T>(default, new AiRefusal.NotConfigured(), null, null);

        var limits = caps.CurrentValue.For(use.TenantId);
        var account = new AiSpendAccount(AiLedger.MonthOf(time.GetUtcNow()), key.Source == AiKeySource.Platform, use.Guest && key.Source != AiKeySource.Caller);
        var lifetime = settings.Timeout + calls.CurrentValue.ReservationGrace;
        Guid reservation;
        await using (var db = DataServiceCollectionExtensions.CreateContext(dataSource, use.TenantId))
        {
            var (id, refusedBy) = await AiLedger.BeginAsync(db, use.TenantId, use.Scope, use.Kind, limits, account, lifetime, ct);
            if (id is null)
            {
                var limit = refusedBy == AiCounters.Total ? limits.Total : limits.For(use.Kind);
                LogCapReached(logger, use.TenantId, refusedBy!, limit);
                return new AiOutcome<T>(default, new AiRefusal.CapReached(refusedBy!, limit), null, key.Source);
            }
            reservation = id.Value;
        }

        var request = new GuardedRequest(use, key, limits, account, reservation, lifetime);
        try
        {
            return new AiOutcome<T>(await work((geminiRequest, token) => CallAsync(request, geminiRequest, token), ct), null, null, key.Source);
        }
        catch (AiRefusedException e)
        {
            return new AiOutcome<T>(default, e.Refusal, null, key.Source);
        }
        catch (GeminiException e)
        {
            return new AiOutcome<T>(default, null, e, key.Source);
        }
        finally
        {
            await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, use.TenantId);
            await AiLedger.FinishAsync(db, use.TenantId, reservation);
        }
    }

    /// <summary>One guarded request, whose calls are made one after another.</summary>
    private sealed record GuardedRequest(AiUse Use, AiKey Key, AiCapValues Limits, AiSpendAccount Account, Guid Reservation, TimeSpan Lifetime);

    private async Task<GeminiResponse> CallAsync(GuardedRequest guarded, GeminiRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (use, key, limits, account, reservation, lifetime) = guarded;
        var output = calls.CurrentValue.For(use.Kind);
        var price = prices.CurrentValue;
        var promptBound = request.PromptTokenBound();
        var worst = new AiCallCost(price.Cost(promptBound, output.MaxOutputTokens, request.AudioTokenBound()), promptBound, output.MaxOutputTokens);
        var reserved = 0m;
        if (account.Tracked)
        {
            await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, use.TenantId);
            if (await AiLedger.ReserveCallAsync(db, use.TenantId, reservation, account, worst, limits, lifetime, ct) is { } cap)
            {
                var limit = cap == AiSpendCaps.Monthly ? limits.MonthlySpendUsd : limits.GuestAiMonthlyUsd;
                LogSpendCapReached(logger, use.TenantId, cap, limit);
                throw new AiRefusedException(new AiRefusal.SpendCapReached(cap, limit, account.Month));
            }
            reserved = worst.Usd;
        }

        try
        {
            var response = await gemini.GenerateJsonAsync(request, key.Value, output, ct);
            await SettleAsync(guarded, reserved, Charged(response.Usage, price, worst), response.Usage is null, answered: true);
            return response;
        }
        catch (GeminiException e) when (e.Answered)
        {
            // Blocked or unusable, but answered: Google bills it.
            await SettleAsync(guarded, reserved, Charged(e.Usage, price, worst), e.Usage is null, answered: true);
            throw;
        }
        catch (GeminiException e) when (e.Kind == GeminiErrorKind.Timeout)
        {
            // Google may have worked on it to the end; nothing says what it produced.
            await SettleAsync(guarded, reserved, worst, estimated: true, answered: false);
            throw;
        }
        catch (GeminiException)
        {
            // Refused (rate limit, bad key, other 4xx) or never reached (5xx, connection): not billed.
            await SettleAsync(guarded, reserved, charged: null, estimated: false, answered: false);
            throw;
        }
        catch (OperationCanceledException)
        {
            // Abandoned by its caller (a timed-out step, a client gone): the request may be out, so billed like a timeout.
            await SettleAsync(guarded, reserved, worst, estimated: true, answered: false);
            throw;
        }
    }

    private static AiCallCost Charged(GeminiUsage? usage, AiPricesOptions price, AiCallCost worst) =>
        usage is null ? worst : new AiCallCost(price.Cost(usage.PromptTokens, usage.OutputTokens, Math.Min(usage.AudioPromptTokens, usage.PromptTokens)), usage.PromptTokens, usage.OutputTokens);

    private async Task SettleAsync(GuardedRequest guarded, decimal reserved, AiCallCost? charged, bool estimated, bool answered)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, guarded.Use.TenantId);
        await AiLedger.SettleCallAsync(db, guarded.Use.TenantId, guarded.Reservation, guarded.Account, reserved, charged, estimated, answered);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AI call refused for tenant {TenantId}: the {Counter} cap ({Limit}) is reached")]
    private static partial void LogCapReached(ILogger logger, Guid tenantId, string counter, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI call refused for tenant {TenantId}: this month's {Cap} cap ({LimitUsd} USD) would be exceeded")]
    private static partial void LogSpendCapReached(ILogger logger, Guid tenantId, string cap, decimal limitUsd);
}
