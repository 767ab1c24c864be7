using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace LearnPlatform.IntegrationTests.Qti;

public static class QtiCalls
{
    public static Task<HttpResponseMessage> ImportAsync(this HttpClient client, byte[] package, string mediaType = "application/zip")
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return client.PostAsync("/api/v1/papers/import", content);
    }

    public static Task<HttpResponseMessage> ExportAsync(this HttpClient client, Guid paper, string query = "format=qti3") =>
        client.GetAsync($"/api/v1/papers/{paper}/export?{query}");

    public static async Task<Dictionary<string, byte[]>> ExportedFilesAsync(this HttpClient client, Guid paper)
    {
        using var response = await client.ExportAsync(paper);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return Unzip(await response.Content.ReadAsByteArrayAsync());
    }

    public static Dictionary<string, byte[]> Unzip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }

    public static byte[] Zip(params (string Name, string Content)[] files) =>
        Zip(files.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Content))).ToArray());

    public static byte[] Zip(params (string Name, byte[] Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Rezip(Dictionary<string, byte[]> files) => Zip(files.Select(f => (f.Key, f.Value)).ToArray());
}
