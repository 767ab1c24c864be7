namespace LearnPlatform.Api.Papers;

/// <summary>Keyset paging for the lists: newest first, `after` is the last id of the previous page.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static Dictionary<string, string[]> Check(int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxLimit}."];
        }
        return errors;
    }
}
