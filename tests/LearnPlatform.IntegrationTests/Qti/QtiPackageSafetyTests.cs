using System.Buffers.Binary;
using System.Text;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Qti;

/// <summary>An uploaded package is untrusted: bombs, climbing paths, DTDs and external entities are refused with a 400.</summary>
public sealed class QtiPackageSafetyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<HttpClient> AuthorAsync() =>
        App.ClientWithBearer((await App.SignUpAsync(await App.CreateTenantAsync(), Roles.Author)).IdToken);

    private static async Task<string> PackageErrorAsync(HttpResponseMessage response, string key = "package")
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").GetProperty(key)[0].GetString()!;
    }

    private static readonly (string, string) GoodItem = ("a.xml", QtiSamples.ChoiceWithPromptInside);

    [Fact]
    public async Task ABodyThatIsNotAZipIsRefused()
    {
        var author = await AuthorAsync();

        Assert.Contains("not a zip", await PackageErrorAsync(await author.ImportAsync(Encoding.UTF8.GetBytes("<manifest/>"))), StringComparison.Ordinal);
        var empty = await (await author.ImportAsync([])).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("body", out _));
        await (await author.ImportAsync(QtiCalls.Zip(GoodItem), "application/json")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("../evil.xml")]
    [InlineData("items/../../evil.xml")]
    [InlineData("/etc/evil.xml")]
    [InlineData("C:/evil.xml")]
    [InlineData("items\\..\\evil.xml")]
    public async Task AnEntryWhoseNameClimbsOutOfThePackageIsRefused(string name)
    {
        var author = await AuthorAsync();

        var error = await PackageErrorAsync(await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("a.xml")), GoodItem, (name, "x"))));

        Assert.Contains("climbs out of the package", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHrefThatClimbsOutOfThePackageIsRefused()
    {
        var author = await AuthorAsync();

        var response = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("../../etc/passwd")), GoodItem));

        Assert.Contains("inside the package", await PackageErrorAsync(response, "imsmanifest.xml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyEntriesAreRefused()
    {
        var author = await AuthorAsync();
        var files = Enumerable.Range(0, 1001).Select(i => ($"f{i}.txt", "x")).Append(("imsmanifest.xml", QtiSamples.Manifest("a.xml"))).ToArray();

        Assert.Contains("more than 1000 entries", await PackageErrorAsync(await author.ImportAsync(QtiCalls.Zip(files))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEntryThatExpandsTooMuchIsRefused()
    {
        var author = await AuthorAsync();
        var bomb = QtiCalls.Zip(("imsmanifest.xml", Encoding.UTF8.GetBytes(QtiSamples.Manifest("a.xml"))), ("a.xml", new byte[20 * 1024 * 1024]));
        Assert.True(bomb.Length < 100 * 1024);

        Assert.Contains("expands more than 100 times", await PackageErrorAsync(await author.ImportAsync(bomb)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEntryThatExpandsBeyondItsDeclaredSizeIsStopped()
    {
        var author = await AuthorAsync();
        // 3 MiB of XML comment declared as 100 bytes in both headers: the reader must not trust the header.
        var item = "<?xml version=\"1.0\"?><!--" + new string('x', 3 * 1024 * 1024) + "--><root/>";
        var zip = QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("a.xml")), ("a.xml", item));
        Lie(zip, "a.xml", declaredSize: 100);

        var response = await author.ImportAsync(zip);

        // Reading stops at the declared size, so the file is cut short rather than read whole.
        Assert.Contains("well-formed", await PackageErrorAsync(response, "a.xml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnXmlFileOverTheLimitIsNotRead()
    {
        var author = await AuthorAsync();
        // Random a's and b's: 3 MiB that compress only about 8 times, so only the size limit can stop them.
        var comment = new string(Enumerable.Range(0, 3 * 1024 * 1024).Select(_ => Random.Shared.Next(2) == 0 ? 'a' : 'b').ToArray());
        var zip = QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("a.xml")), ("a.xml", $"<?xml version=\"1.0\"?><!--{comment}--><root/>"));

        Assert.Contains("larger than 2 MiB", await PackageErrorAsync(await author.ImportAsync(zip), "a.xml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADtdOrAnExternalEntityIsRefusedAndNothingIsFetched()
    {
        var author = await AuthorAsync();
        var secretPath = Path.Combine(Path.GetTempPath(), $"qti-xxe-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(secretPath, "XXE-SECRET-CONTENT");
        var xxe = $"""<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY secret SYSTEM "file://{secretPath}">]><manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1">&secret;</manifest>""";
        var billionLaughs = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><manifest>&lol2;</manifest>""";

        using var external = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", xxe), GoodItem));
        using var expansion = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", billionLaughs), GoodItem));
        using var inItem = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("a.xml")), ("a.xml", xxe.Replace("manifest", "qti-assessment-item", StringComparison.Ordinal))));

        Assert.Contains("DTD", await PackageErrorAsync(external, "imsmanifest.xml"), StringComparison.Ordinal);
        Assert.Contains("DTD", await PackageErrorAsync(expansion, "imsmanifest.xml"), StringComparison.Ordinal);
        Assert.Contains("DTD", await PackageErrorAsync(inItem, "a.xml"), StringComparison.Ordinal);
        foreach (var response in new[] { external, expansion, inItem })
        {
            Assert.DoesNotContain("XXE-SECRET-CONTENT", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        File.Delete(secretPath);
    }

    [Fact]
    public async Task APackageWithoutAManifestOrWithAnotherRootIsRefused()
    {
        var author = await AuthorAsync();

        using var noManifest = await author.ImportAsync(QtiCalls.Zip(GoodItem));
        using var wrongRoot = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"/>"), GoodItem));
        using var broken = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", "<manifest"), GoodItem));

        Assert.Contains("no file imsmanifest.xml", await PackageErrorAsync(noManifest, "imsmanifest.xml"), StringComparison.Ordinal);
        Assert.Contains("QTI 3.0 content package", await PackageErrorAsync(wrongRoot, "imsmanifest.xml"), StringComparison.Ordinal);
        Assert.Contains("well-formed", await PackageErrorAsync(broken, "imsmanifest.xml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOverTheSizeLimitIsA413()
    {
        var author = await AuthorAsync();
        var random = new byte[2 * 1024 * 1024];
        Random.Shared.NextBytes(random);
        // As browsers and SDKs send large uploads: the body waits for 100 Continue, so the early 413 is read, not a
        // connection the server closed while the body was still being written.
        author.DefaultRequestHeaders.ExpectContinue = true;

        using var response = await author.ImportAsync(QtiCalls.Zip(("imsmanifest.xml", random)));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>Rewrites the uncompressed size of <paramref name="name"/> in its local header and in the central directory.</summary>
    private static void Lie(byte[] zip, string name, uint declaredSize)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), declaredSize);
            }
            if (signature == 0x02014b50 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), declaredSize);
            }
        }
    }
}
