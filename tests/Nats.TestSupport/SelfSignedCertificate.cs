using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nats.TestSupport;

/// <summary>
/// A throwaway self-signed server certificate for 127.0.0.1/localhost, written as PEM files
/// into a temp directory (deleted on dispose). For tests that only need "some valid
/// certificate"; a CA hierarchy lives in Nats.Core.Tests' TestPki.
/// </summary>
public sealed class SelfSignedCertificate : IDisposable
{
    public SelfSignedCertificate(string subject = "CN=localhost")
    {
        Dir = Directory.CreateTempSubdirectory("nats-cert-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertPath = Path.Combine(Dir, "cert.pem");
        KeyPath = Path.Combine(Dir, "key.pem");
        File.WriteAllText(CertPath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Thumbprint = certificate.Thumbprint;
    }

    public string Dir { get; }

    public string CertPath { get; }

    public string KeyPath { get; }

    public string Thumbprint { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
