using System.Globalization;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LearnPlatform.Core.Lti;

/// <summary>The side effect of <see cref="LtiPassbackWorkflow"/>: reads the session's current grade and posts it.</summary>
public sealed partial class LtiPassbackActivities(NpgsqlDataSource dataSource, AgsClient ags, ILogger<LtiPassbackActivities> logger)
{
    /// <returns>What happened: posted, or why nothing was (the session is no longer graded, or has no line item).</returns>
    public async Task<string> PostScoreAsync(ActivityContext activity, LtiPassbackInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(input);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        var target = await (
                from link in db.LtiSessionLinks
                join session in db.Sessions on link.SessionId equals session.Id
                join user in db.LtiUsers on link.LtiUserId equals user.Id
                join platform in db.LtiPlatforms on link.PlatformId equals platform.Id
                where link.SessionId == input.SessionId
                select new { session.Status, session.Score, session.MaxScore, session.GradedAt, link.LineitemUrl, user.Subject, Platform = platform })
            .SingleOrDefaultAsync(ct);
        if (target is null || target.LineitemUrl is null)
        {
            return "no_line_item";
        }
        // A regrade in progress: its own save starts the next passback.
        if (target.Status != SessionStatus.Graded || target.Score is not { } score || target.MaxScore is not { } maxScore || target.GradedAt is not { } gradedAt)
        {
            return "not_graded";
        }
        var timestamp = gradedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        try
        {
            await ags.PostScoreAsync(target.Platform, target.LineitemUrl, new AgsScore(target.Subject, score, maxScore, "Completed", "FullyGraded", timestamp), ct);
        }
        catch (LtiConfigurationException e)
        {
            // No tool key in this process: retrying cannot help; the run is parked for an operator (runs retry, once configured).
            throw new NonRetryableActivityException(e.Message, e);
        }
        LogPosted(logger, input.SessionId, target.Platform.Id);
        return "posted";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Posted the grade of session {SessionId} to LTI platform {PlatformId}")]
    private static partial void LogPosted(ILogger logger, Guid sessionId, Guid platformId);
}
