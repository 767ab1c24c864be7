using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Sessions;

/// <summary>
/// The order a session shows questions and options in. Shuffled from a seed when the paper asks for it,
/// so the same seed always gives the same layout; the layout itself is stored with the session.
/// </summary>
public static class SessionLayout
{
    public static IReadOnlyList<QuestionOrder> Create(PaperSettings paper, int seed)
    {
        var random = new Random(seed);
        var questions = paper.Questions.ToArray();
        if (paper.ShuffleQuestions)
        {
            random.Shuffle(questions);
        }
        return questions
            .Select(q => new QuestionOrder(q.Id, paper.ShuffleOptions && q.Options is { Count: > 0 } options ? Permutation(options.Count, random) : null))
            .ToList();
    }

    private static int[] Permutation(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }
}
