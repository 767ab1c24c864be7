using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Core.Attempts;

/// <summary>Configuration section <c>Privacy</c>: the attempt ledger's key.</summary>
public sealed class AttemptLedgerOptions
{
    public const string SectionName = "Privacy";
    public const int MinKeyLength = 32;

    /// <summary>The secret the ledger's subjects are keyed with (Privacy__AttemptLedgerKey); changing it forgets the ledger.</summary>
    public string? AttemptLedgerKey { get; set; }
}

/// <summary>
/// Attempts per candidate and paper, kept under HMAC-SHA256(key, "tenant|uid|paper") so that the ledger names nobody:
/// erasure leaves it in place (GDPR Art. 17(3)(b)), and a candidate who erased themselves and comes back with the same
/// uid finds their attempts used, as before. Without a configured key the hash is keyed by a public constant (and a
/// warning says so in Production): the limits still hold, but whoever holds the database and a uid could test it.
/// </summary>
public sealed partial class AttemptLedger
{
    private static readonly byte[] UnconfiguredKey = "learnplatform attempt ledger: no Privacy:AttemptLedgerKey"u8.ToArray();

    private readonly byte[] key;

    public AttemptLedger(IOptions<AttemptLedgerOptions> options, IHostEnvironment environment, ILogger<AttemptLedger> logger)
    {
        var configured = options.Value.AttemptLedgerKey;
        key = string.IsNullOrEmpty(configured) ? UnconfiguredKey : Encoding.UTF8.GetBytes(configured);
        if (string.IsNullOrEmpty(configured) && environment.IsProduction())
        {
            LogUnkeyed(logger);
        }
    }

    public byte[] SubjectOf(Guid tenantId, string uid, Guid paperId) =>
        // Tenant and paper ids have a fixed length, so no uid can make two different triples hash the same text.
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{tenantId:D}|{uid}|{paperId:D}"));

    /// <summary>The attempts the ledger holds for the candidate (zero or one row).</summary>
    public IQueryable<int> Recorded(LearnPlatformDbContext db, Guid tenantId, string uid, Guid paperId)
    {
        var subject = SubjectOf(tenantId, uid, paperId);
        return db.AttemptLedger
            .Where(e => e.TenantId == tenantId && e.PaperId == paperId && e.SubjectHmac == subject)
            .Select(e => e.Attempts);
    }

    /// <summary>
    /// Raises each candidate's count to the attempt given (never lowers it), in one statement, in the caller's
    /// transaction, on a context acting for <paramref name="tenantId"/>.
    /// </summary>
    public Task RecordAsync(LearnPlatformDbContext db, Guid tenantId, IReadOnlyCollection<AttemptUsed> attempts, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(attempts);
        var papers = new NpgsqlParameter("papers", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = attempts.Select(a => a.PaperId).ToArray() };
        var subjects = new NpgsqlParameter("subjects", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
        {
            Value = attempts.Select(a => SubjectOf(tenantId, a.Uid, a.PaperId)).ToArray(),
        };
        var counts = new NpgsqlParameter("counts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = attempts.Select(a => a.Attempt).ToArray() };
        // Grouped first: one statement may not touch the same row twice (a candidate with two purged sessions of a paper).
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO attempt_ledger (tenant_id, paper_id, subject_hmac, attempts, updated_at)
            SELECT {tenantId}, a.paper_id, a.subject_hmac, max(a.attempts), {now}
            FROM unnest({papers}, {subjects}, {counts}) AS a (paper_id, subject_hmac, attempts)
            GROUP BY a.paper_id, a.subject_hmac
            ON CONFLICT (tenant_id, paper_id, subject_hmac)
            DO UPDATE SET attempts = greatest(attempt_ledger.attempts, excluded.attempts), updated_at = excluded.updated_at
            """, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Privacy:AttemptLedgerKey is not set: the attempt ledger is keyed by a public constant; set the secret (docs/configuration.md)")]
    private static partial void LogUnkeyed(ILogger logger);
}

/// <summary>A candidate's attempt at a paper, as the ledger counts it.</summary>
public sealed record AttemptUsed(string Uid, Guid PaperId, int Attempt);

public static class AttemptLedgerServiceCollectionExtensions
{
    public static IServiceCollection AddAttemptLedger(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AttemptLedgerOptions>()
            .Bind(configuration.GetSection(AttemptLedgerOptions.SectionName))
            .Validate(o => string.IsNullOrEmpty(o.AttemptLedgerKey) || o.AttemptLedgerKey.Length >= AttemptLedgerOptions.MinKeyLength,
                $"Privacy:AttemptLedgerKey (file or variable Privacy__AttemptLedgerKey) must be at least {AttemptLedgerOptions.MinKeyLength} characters.")
            .ValidateOnStart();
        services.TryAddSingleton<AttemptLedger>();
        return services;
    }
}
