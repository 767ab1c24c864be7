using System.Text.Json;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Sessions;

public sealed record SessionView(
    Guid Id,
    Guid PaperId,
    int PaperVersion,
    string Title,
    bool HintsAllowed,
    bool CodeRunsAllowed,
    string Status,
    int Attempt,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset ServerTime,
    IReadOnlyList<CandidateQuestion> Questions,
    IReadOnlyList<ResponseView> Responses);

public sealed record ResponseView(string QuestionId, JsonElement Answer, DateTimeOffset SavedAt, int Version);

public sealed record SessionSummary(Guid Id, Guid PaperId, int PaperVersion, string? CandidateId, string Status, int Attempt, DateTimeOffset StartedAt, DateTimeOffset Deadline, DateTimeOffset? SubmittedAt, decimal? Score, decimal? MaxScore);

public static class SessionViewMapping
{
    public static SessionView ToView(this ExamSession session, PaperSettings paper, IEnumerable<SessionResponse> responses, DateTimeOffset now)
    {
        var questions = paper.Questions.ToDictionary(q => q.Id);
        return new SessionView(
            session.Id,
            session.PaperId,
            session.PaperVersion,
            paper.Title,
            paper.HintsAllowed,
            paper.CodeRunsAllowed,
            session.Status,
            session.Attempt,
            session.StartedAt,
            session.Deadline,
            session.SubmittedAt,
            now,
            session.Layout.Select(slot => questions[slot.QuestionId].ToCandidateView(slot.OptionOrder)).ToList(),
            responses.OrderBy(r => r.QuestionId, StringComparer.Ordinal).Select(r => r.ToView()).ToList());
    }

    public static ResponseView ToView(this SessionResponse response) =>
        new(response.QuestionId, JsonSerializer.Deserialize<JsonElement>(response.Answer), response.SavedAt, response.Version);

    public static SessionSummary ToSummary(this ExamSession session) =>
        new(session.Id, session.PaperId, session.PaperVersion, session.CandidateUid, session.Status, session.Attempt,
            session.StartedAt, session.Deadline, session.SubmittedAt, session.Score, session.MaxScore);
}
