namespace LearnPlatform.LocalDev;

public static class RepositoryRoot
{
    /// <summary>The folder holding LearnPlatform.sln above the working directory or the binaries; null when run from elsewhere.</summary>
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LearnPlatform.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }
}
