using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>The PEM files of one TLS set, read once so that what is checked is what gets used.</summary>
internal sealed class TlsFiles
{
    private TlsFiles(byte[]? cert, byte[]? key, byte[]? ca)
    {
        Cert = cert;
        Key = key;
        Ca = ca;
        Stamp = TlsFileStamp.Of(cert, key, ca);
    }

    public byte[]? Cert { get; }

    public byte[]? Key { get; }

    public byte[]? Ca { get; }

    /// <summary>The fingerprint of these contents (see <see cref="TlsFileStamp"/>).</summary>
    public string Stamp { get; }

    /// <summary>Reads the files <paramref name="options"/> names; a missing one is an error naming the option.</summary>
    public static TlsFiles Read(TlsOptions options) =>
        new(Read(options.CertFile, "cert_file", "error parsing X509 certificate/key pair"),
            Read(options.KeyFile, "key_file", "error parsing X509 certificate/key pair"),
            Read(options.CaFile, "ca_file", "error reading ca_file"));

    private static byte[]? Read(string? path, string option, string what)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw TlsCertificateLoader.Error($"{what}: {option} \"{path}\": {ex.Message}");
        }
    }
}

/// <summary>
/// Turns PEM contents into certificates: the leaf with its private key (RSA or ECDSA), the
/// intermediates that follow it in the certificate file, and the CA bundle. Errors are
/// <see cref="ConfigException"/>s worded like nats-server's.
/// </summary>
internal static class TlsCertificateLoader
{
    /// <summary>The leaf with its key, and every other certificate of the certificate file.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) LoadIdentity(byte[] certPem, byte[] keyPem, DateTime now)
    {
        var certText = Encoding.ASCII.GetString(certPem);
        X509Certificate2 leaf;
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certText, Encoding.ASCII.GetString(keyPem));
            // The PEM key is ephemeral; a PKCS#12 round trip gives a certificate whose key every
            // platform's TLS stack can use (SChannel refuses ephemeral keys; OpenSSL takes both).
            leaf = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw Error($"error parsing X509 certificate/key pair: {ex.Message}");
        }
        if (leaf.NotAfter.ToUniversalTime() < now)
        {
            var expired = leaf.NotAfter.ToUniversalTime();
            leaf.Dispose();
            throw Error($"error parsing X509 certificate/key pair: the certificate expired at {expired:yyyy-MM-dd HH:mm:ss}Z");
        }
        var all = new X509Certificate2Collection();
        all.ImportFromPem(certText);
        var intermediates = new X509Certificate2Collection();
        // The first certificate is the leaf, as in Go's LoadX509KeyPair; the rest is its chain.
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }
        all[0].Dispose();
        return (leaf, intermediates);
    }

    /// <summary>The certificates of a CA bundle; a bundle without any is an error, as in nats-server.</summary>
    public static X509Certificate2Collection LoadAuthorities(byte[] caPem)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(Encoding.ASCII.GetString(caPem));
        }
        catch (CryptographicException ex)
        {
            throw Error($"failed to parse root ca certificate: {ex.Message}");
        }
        if (authorities.Count == 0)
        {
            throw Error("failed to parse root ca certificate");
        }
        return authorities;
    }

    /// <summary>A TLS configuration error without a config position (it concerns a file's contents, or the set as a whole).</summary>
    public static ConfigException Error(string reason) => new(new ConfPosition("", 0, 0), reason);
}
