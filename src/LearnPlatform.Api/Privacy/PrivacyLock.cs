using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Privacy;

/// <summary>
/// At most one export or erasure at a time per caller, whichever replica serves it: a PostgreSQL advisory lock held by
/// the request's transaction (released by its commit or rollback, so a crashed request never keeps it). A second
/// request while one runs answers 409 at once.
/// </summary>
public static class PrivacyLock
{
    /// <summary>The lock's 64-bit key: a hash of the tenant and the caller's uid.</summary>
    public static long Key(Guid tenantId, string uid) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"learnplatform-privacy/v1\n{tenantId}\n{uid}")));

    /// <summary>Takes the caller's lock inside the open transaction; false when another request holds it.</summary>
    public static Task<bool> TryTakeAsync(LearnPlatformDbContext db, Caller caller, CancellationToken ct) =>
        db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({Key(caller.TenantId, caller.Uid)}) AS \"Value\"").SingleAsync(ct);

    public static ProblemHttpResult Busy() =>
        Problems.Conflict("An export or erasure you asked for is still running; try again when it has finished.");
}
