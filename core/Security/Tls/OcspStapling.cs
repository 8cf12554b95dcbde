using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>
/// Whether a server certificate gets OCSP staples, decided as nats-server does: in the default
/// <c>auto</c> mode only certificates that ask for it with the TLS Feature extension's
/// status_request (Must-Staple, RFC 7633), every certificate in <c>always</c>, none in
/// <c>never</c>. The stapling itself is .NET's: an <see cref="System.Net.Security.SslStreamCertificateContext"/>
/// created online fetches the response from the certificate's OCSP responder in the background
/// (refreshing it before it expires) and staples it for clients that ask.
/// </summary>
internal static class OcspStapling
{
    private const string TlsFeatureOid = "1.3.6.1.5.5.7.1.24";
    private const int StatusRequest = 5;

    /// <summary>True when <paramref name="leaf"/> should be stapled under <paramref name="mode"/>.</summary>
    public static bool ShouldStaple(OcspMode mode, X509Certificate2 leaf) => mode switch
    {
        OcspMode.Never => false,
        OcspMode.Always => true,
        _ => HasMustStaple(leaf),
    };

    /// <summary>True when the certificate carries the TLS Feature extension with status_request.</summary>
    public static bool HasMustStaple(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[TlsFeatureOid];
        if (extension is null)
        {
            return false;
        }
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.BER);
            var features = reader.ReadSequence();
            while (features.HasData)
            {
                if (features.TryReadInt32(out var feature) && feature == StatusRequest)
                {
                    return true;
                }
            }
        }
        catch (AsnContentException)
        {
        }
        return false;
    }

    /// <summary>The responder URLs .NET will ask (plain http ones from the AIA extension).</summary>
    public static IReadOnlyList<string> ResponderUrls(X509Certificate2 certificate)
    {
        var urls = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509AuthorityInformationAccessExtension aia)
            {
                try
                {
                    urls.AddRange(aia.EnumerateOcspUris().Where(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));
                }
                catch (CryptographicException)
                {
                }
            }
        }
        return urls;
    }

    /// <summary>
    /// Why stapling cannot work for <paramref name="leaf"/>, or null when it can: .NET needs a
    /// responder URL and the issuer (found in cert_file or ca_file) to build the request.
    /// </summary>
    public static string? Problem(X509Certificate2 leaf, X509Certificate2Collection issuers)
    {
        if (ResponderUrls(leaf).Count == 0)
        {
            return "the certificate names no http OCSP responder";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(issuers.Where(IsSelfSigned).ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(issuers);
        chain.Build(leaf);
        var elements = chain.ChainElements;
        return elements.Count > 1 && IsSelfSigned(elements[^1].Certificate)
            ? null
            : "its chain up to the root CA is not in cert_file or ca_file";
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
