using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>PEM files for a TLS test: the CA clients should trust, and the server's chain and key.</summary>
public sealed record TlsFiles(string CaCertPath, string ServerCertPath, string ServerKeyPath);

/// <summary>
/// Generates a throwaway CA and a server certificate for 127.0.0.1/localhost signed by it, per
/// test, so no key material lives in the repository and nothing depends on a system trust store.
/// ECDSA P-256 because it is fast to generate and every client's TLS stack accepts it.
/// </summary>
public static class TestCertificates
{
    public static TlsFiles Write(string dir)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5); // tolerate small clock skew between processes
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=NATS Interop Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using var server = request.Create(ca, notBefore, notAfter, serial);

        var files = new TlsFiles(
            Path.Combine(dir, "ca-cert.pem"),
            Path.Combine(dir, "server-cert.pem"),
            Path.Combine(dir, "server-key.pem"));
        File.WriteAllText(files.CaCertPath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(files.ServerCertPath, server.ExportCertificatePem() + "\n");
        File.WriteAllText(files.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem() + "\n");
        return files;
    }
}
