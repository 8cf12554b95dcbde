using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Security.Tls;

/// <summary>How a peer's certificate is judged once the platform has built its chain.</summary>
internal static class TlsPeerCheck
{
    /// <summary>
    /// The <c>pinned_certs</c> key of a certificate, as nats-server computes it: the hex SHA-256
    /// of the DER SubjectPublicKeyInfo (so a renewed certificate with the same key stays pinned).
    /// </summary>
    public static string Pin(X509Certificate certificate)
    {
        if (certificate is X509Certificate2 full)
        {
            return Hash(full);
        }
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return Hash(copy);

        static string Hash(X509Certificate2 c) => Convert.ToHexStringLower(SHA256.HashData(c.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>
    /// Decides on a peer: <paramref name="mustVerify"/> requires a certificate whose chain
    /// verified; a non-empty <paramref name="pins"/> requires its key to be pinned. Returns why
    /// not, or null when the peer is accepted.
    /// </summary>
    public static string? Judge(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool mustVerify, IReadOnlySet<string> pins)
    {
        if (certificate is null)
        {
            if (mustVerify)
            {
                return "the peer presented no certificate";
            }
            // As nats-server: pinning needs a certificate, so without one the peer is refused.
            return pins.Count > 0 ? "the peer presented no certificate to match pinned_certs" : null;
        }
        if (mustVerify && errors != SslPolicyErrors.None)
        {
            return Describe(errors, chain);
        }
        if (pins.Count > 0)
        {
            var pin = Pin(certificate);
            if (!pins.Contains(pin))
            {
                return $"certificate not pinned (key id {pin})";
            }
        }
        return null;
    }

    private static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            parts.Add("no certificate");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            parts.Add("certificate name does not match the host");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain?.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct().ToList();
            parts.Add(status is { Count: > 0 } ? "certificate chain: " + string.Join("; ", status) : "certificate chain does not verify");
        }
        return string.Join(", ", parts);
    }
}
