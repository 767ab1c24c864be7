using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LearnPlatform.Testing;

// An RSA key with the self-signed certificate Google would publish for it. Generated per test run, never stored.
public sealed class TestSigningKey
{
    // Shared across tests because 2048-bit key generation is the slowest step here.
    public static readonly TestSigningKey Primary = Create("primary-kid");
    public static readonly TestSigningKey Other = Create("other-kid");
    public static readonly TestSigningKey Rotated = Create("rotated-kid");

    private TestSigningKey(string kid, RSA rsa, string certificatePem)
    {
        Kid = kid;
        Rsa = rsa;
        CertificatePem = certificatePem;
    }

    public string Kid { get; }

    public RSA Rsa { get; }

    public string CertificatePem { get; }

    private static TestSigningKey Create(string kid)
    {
        var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=securetoken.system.gserviceaccount.com", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new TestSigningKey(kid, rsa, certificate.ExportCertificatePem());
    }
}
