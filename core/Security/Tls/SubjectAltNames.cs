using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Security.Tls;

/// <summary>
/// The e-mail, DNS and URI entries of a certificate's subject alternative names, in the order
/// written (Go's <c>EmailAddresses</c>, <c>DNSNames</c>, <c>URIs</c>); .NET's own SAN
/// extension type only exposes DNS names and IP addresses.
/// </summary>
internal sealed class SubjectAltNames
{
    private const string ExtensionOid = "2.5.29.17";

    // GeneralName choices (RFC 5280): rfc822Name [1], dNSName [2], uniformResourceIdentifier [6].
    private static readonly Asn1Tag Email = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag Dns = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag Uri = new(TagClass.ContextSpecific, 6);

    /// <summary>rfc822Name entries.</summary>
    public List<string> Emails { get; } = [];

    /// <summary>dNSName entries.</summary>
    public List<string> DnsNames { get; } = [];

    /// <summary>URI entries.</summary>
    public List<string> Uris { get; } = [];

    /// <summary>Reads the SAN extension of <paramref name="certificate"/> (empty lists when it has none or it is malformed).</summary>
    public static SubjectAltNames Of(X509Certificate2 certificate)
    {
        var names = new SubjectAltNames();
        if (certificate.Extensions[ExtensionOid] is not { } extension)
        {
            return names;
        }
        try
        {
            var sequence = new AsnReader(extension.RawData, AsnEncodingRules.BER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.HasSameClassAndValue(Email))
                {
                    names.Emails.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, Email));
                }
                else if (tag.HasSameClassAndValue(Dns))
                {
                    names.DnsNames.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, Dns));
                }
                else if (tag.HasSameClassAndValue(Uri))
                {
                    names.Uris.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, Uri));
                }
                else
                {
                    sequence.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            return new SubjectAltNames();
        }
        return names;
    }
}
