using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary>Reads from the database (as the superuser, past row-level security) how long each session took from its submit to its grade.</summary>
internal static class GradingWatch
{
    public sealed record Outcome(int Graded, double P50Seconds, double SlowestSeconds);

    private const string Sql = """
        SELECT count(*), count(*) FILTER (WHERE status = 'graded'),
               coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM graded_at - submitted_at)), 0),
               coalesce(max(extract(epoch FROM coalesce(graded_at, now()) - submitted_at)), 0)
        FROM exam_sessions
        WHERE submitted_at IS NOT NULL AND candidate_uid LIKE @candidates
        """;

    /// <summary>Polls until every submitted session is graded, or the slowest has waited longer than <paramref name="limit"/>.</summary>
    public static async Task<Outcome> WaitAsync(string superuserConnection, TimeSpan limit)
    {
        await using var dataSource = NpgsqlDataSource.Create(superuserConnection);
        while (true)
        {
            await using var command = dataSource.CreateCommand(Sql);
            command.Parameters.AddWithValue("candidates", ExamDay.CandidatePrefix + "%");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var submitted = reader.GetInt64(0);
            var outcome = new Outcome((int)reader.GetInt64(1), reader.GetDouble(2), (double)reader.GetDecimal(3));
            if (outcome.Graded >= submitted || outcome.SlowestSeconds > limit.TotalSeconds)
            {
                return outcome;
            }
            await Task.Delay(250);
        }
    }
}
