namespace LearnPlatform.Api.Http;

/// <summary>Every list the API returns: <c>{"items": [...]}</c>, so a list can gain paging fields without breaking clients.</summary>
public sealed record ItemList<T>(IReadOnlyList<T> Items);
