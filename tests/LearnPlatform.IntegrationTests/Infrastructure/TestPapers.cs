using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>Published papers for tests of other features, written straight to the database as the Papers API would.</summary>
public static class TestPapers
{
    public static PaperSettings Sample(int timeLimitSeconds = 1800, int maxAttempts = 1, bool guestAccess = false, bool shuffle = false) => new()
    {
        Title = "Python basics",
        TimeLimitSeconds = timeLimitSeconds,
        MaxAttempts = maxAttempts,
        GuestAccess = guestAccess,
        ShuffleQuestions = shuffle,
        ShuffleOptions = shuffle,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
            new Question { Id = "q2", Kind = QuestionKinds.MultipleChoice, Prompt = "Even numbers?", Options = ["1", "2", "4"], Correct = ["2", "4"], Points = 2 },
            new Question { Id = "q3", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
            new Question { Id = "q4", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = "RUBRIC-SECRET: mutability (2), use cases (2), syntax (1)", Points = 5 },
            new Question
            {
                Id = "q5", Kind = QuestionKinds.Code, Language = "python", Prompt = "Write add(a, b).", Points = 3,
                Tests = [new CodeTest { Call = "add(2, 3)", Expected = "5" }, new CodeTest { Call = "add(HIDDEN_SECRET, 1)", Expected = "2", Hidden = true }],
                Solution = "SOLUTION_SECRET = 1\ndef add(a, b):\n    return a + b\n",
            },
        ],
    };

    public static async Task<Guid> PublishAsync(this TestApp app, Guid tenantId, PaperSettings? settings = null)
    {
        settings ??= Sample();
        var now = DateTimeOffset.UtcNow;
        var paper = new Paper { TenantId = tenantId, Content = settings, Status = PaperStatus.Published, PublishedVersion = 1, CreatedBy = "test", CreatedAt = now, UpdatedAt = now };
        await using var dataSource = NpgsqlDataSource.Create(app.Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        db.Papers.Add(paper);
        await db.SaveChangesAsync();
        db.PaperVersions.Add(new PaperVersion { PaperId = paper.Id, Version = 1, TenantId = tenantId, Content = settings, PublishedBy = "test", PublishedAt = now });
        await db.SaveChangesAsync();
        return paper.Id;
    }

    /// <summary>Rows as the owner sees them, for assertions on what the API stored.</summary>
    public static async Task<long> CountAsync(this TestApp app, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public static class TestAccommodations
{
    public static async Task AccommodateAsync(this TestApp app, Guid tenantId, string uid, Guid? paperId, decimal multiplier, int extraMinutes)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        var now = DateTimeOffset.UtcNow;
        db.Accommodations.Add(new Accommodation
        {
            TenantId = tenantId, CandidateUid = uid, PaperId = paperId, TimeMultiplier = multiplier, ExtraMinutes = extraMinutes,
            UpdatedBy = "test", CreatedAt = now, UpdatedAt = now,
        });
        await db.SaveChangesAsync();
    }
}
