using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Tests.Tls;

/// <summary>The key type of a generated certificate (public: NUnit test cases take it).</summary>
public enum KeyKind
{
    Rsa,
    Ecdsa,
}

/// <summary>A certificate written as PEM files, with what tests check it by.</summary>
/// <param name="CertPath">The certificate (chain) file.</param>
/// <param name="KeyPath">The PKCS#8 private key file.</param>
/// <param name="Certificate">The certificate (public part).</param>
internal sealed record IssuedCert(string CertPath, string KeyPath, X509Certificate2 Certificate)
{
    /// <summary>The serial number as hex, as <see cref="X509Certificate2.SerialNumber"/> shows it.</summary>
    public string Serial => Certificate.SerialNumber;

    /// <summary>The <c>pinned_certs</c> key: hex SHA-256 of the SubjectPublicKeyInfo.</summary>
    public string Pin => Convert.ToHexStringLower(SHA256.HashData(Certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>The certificate with its private key, for a client to present.</summary>
    public X509Certificate2 WithKey() => X509Certificate2.CreateFromPemFile(CertPath, KeyPath);
}

/// <summary>
/// A throwaway PKI in a temp directory: one CA and the certificates a test issues from it, all
/// written as PEM files. Nothing is trusted system-wide; the directory goes with <see cref="Dispose"/>.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly AsymmetricAlgorithm _caKey;
    private readonly bool _ownsDir;

    public TestPki(KeyKind caKind = KeyKind.Ecdsa, string caName = "CN=NATS Test CA", string? dir = null)
        : this(caKind, caName, dir, parent: null)
    {
    }

    private TestPki(KeyKind caKind, string caName, string? dir, TestPki? parent)
    {
        _ownsDir = dir is null;
        Dir = dir ?? Directory.CreateTempSubdirectory("nats-tls-").FullName;
        _caKey = NewKey(caKind);
        var request = Request(caName, _caKey);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var from = DateTimeOffset.UtcNow.AddMinutes(-5);
        var until = DateTimeOffset.UtcNow.AddDays(2);
        Ca = parent is null
            ? request.CreateSelfSigned(from, until)
            : X509CertificateLoader.LoadCertificate(request.Create(parent.Ca.SubjectName, parent.Signer(), from, until, RandomNumberGenerator.GetBytes(8)).RawData);
        CaPath = Path.Combine(Dir, Slug(caName) + "-ca.pem");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem() + "\n");
    }

    public string Dir { get; }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    /// <summary>The CA's private key (for a test OCSP responder to sign with).</summary>
    public AsymmetricAlgorithm CaKey => _caKey;

    /// <summary>
    /// Issues a certificate for 127.0.0.1/localhost usable as server and client (routes need
    /// both) and writes it to <c>{fileName}-cert.pem</c>/<c>{fileName}-key.pem</c>.
    /// </summary>
    public IssuedCert Issue(
        string fileName,
        string subject = "CN=127.0.0.1",
        KeyKind kind = KeyKind.Ecdsa,
        Action<SubjectAlternativeNameBuilder>? sans = null,
        DateTimeOffset? notAfter = null,
        bool mustStaple = false,
        string? ocspUrl = null,
        X500DistinguishedName? subjectName = null)
    {
        using var key = NewKey(kind);
        var request = Request(subjectName ?? new X500DistinguishedName(subject), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (kind == KeyKind.Rsa ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        sans?.Invoke(san);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        if (mustStaple)
        {
            request.CertificateExtensions.Add(MustStaple());
        }
        if (ocspUrl is not null)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([ocspUrl], null));
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var from = DateTimeOffset.UtcNow.AddMinutes(-5);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(1);
        if (until <= from)
        {
            from = until.AddDays(-1);
        }
        using var signed = request.Create(Ca.SubjectName, Signer(), from, until, serial);
        var certificate = X509CertificateLoader.LoadCertificate(signed.RawData);
        var issued = new IssuedCert(Path.Combine(Dir, fileName + "-cert.pem"), Path.Combine(Dir, fileName + "-key.pem"), certificate);
        File.WriteAllText(issued.CertPath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(issued.KeyPath, ExportKey(key) + "\n");
        return issued;
    }

    /// <summary>An intermediate CA signed by this one, writing its files into the same directory.</summary>
    public TestPki Intermediate(string caName = "CN=NATS Test Intermediate") => new(KeyKind.Ecdsa, caName, Dir, this);

    /// <summary>Copies <paramref name="source"/>'s files over <paramref name="target"/>'s paths (a rotation in place).</summary>
    public static IssuedCert Replace(IssuedCert target, IssuedCert source)
    {
        File.Copy(source.CertPath, target.CertPath, overwrite: true);
        File.Copy(source.KeyPath, target.KeyPath, overwrite: true);
        return target with { Certificate = source.Certificate };
    }

    public void Dispose()
    {
        _caKey.Dispose();
        if (!_ownsDir)
        {
            return;
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static AsymmetricAlgorithm NewKey(KeyKind kind) =>
        kind == KeyKind.Rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// A subject built RDN by RDN in certificate (DER) order; an RDN with several attributes is
    /// multi-valued. Values are UTF8Strings.
    /// </summary>
    public static X500DistinguishedName Subject(params (string Oid, string Value)[][] rdns)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var rdn in rdns)
            {
                using (writer.PushSetOf())
                {
                    foreach (var (oid, value) in rdn)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(oid);
                            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                        }
                    }
                }
            }
        }
        return new X500DistinguishedName(writer.Encode());
    }

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => Request(new X500DistinguishedName(subject), key);

    private static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException("unknown key type"),
    };

    private X509SignatureGenerator Signer() => _caKey switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new InvalidOperationException(),
    };

    private static string ExportKey(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        _ => throw new InvalidOperationException(),
    };

    // RFC 7633 TLS Feature extension with status_request (5): "Must-Staple".
    private static X509Extension MustStaple()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(5);
        }
        return new X509Extension("1.3.6.1.5.5.7.1.24", writer.Encode(), critical: false);
    }

    private static string Slug(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
