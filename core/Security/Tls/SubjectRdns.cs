using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Security.Tls;

/// <summary>One attribute of a certificate subject: its OID and, when it is a string, its value.</summary>
/// <param name="Oid">The attribute type, dotted.</param>
/// <param name="Value">The value when it is one of ASN.1's string types (as Go decodes it), otherwise null.</param>
internal readonly record struct SubjectAttribute(string Oid, string? Value);

/// <summary>
/// A certificate subject decoded from its DER form as an RDN sequence, in certificate order,
/// each RDN a set of attributes: the raw material of nats-server's certificate-to-user mapping
/// (Go's <c>pkix.RDNSequence</c>).
/// </summary>
internal static class SubjectRdns
{
    /// <summary>Decodes <paramref name="name"/>; null when it is not a well-formed RDN sequence.</summary>
    public static List<List<SubjectAttribute>>? Decode(X500DistinguishedName name)
    {
        try
        {
            var rdns = new List<List<SubjectAttribute>>();
            var sequence = new AsnReader(name.RawData, AsnEncodingRules.BER).ReadSequence();
            while (sequence.HasData)
            {
                var set = sequence.ReadSetOf(skipSortOrderValidation: true);
                var attributes = new List<SubjectAttribute>();
                while (set.HasData)
                {
                    var pair = set.ReadSequence();
                    var oid = pair.ReadObjectIdentifier();
                    attributes.Add(new SubjectAttribute(oid, ReadString(pair)));
                }
                rdns.Add(attributes);
            }
            return rdns;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    // The string types Go's asn1 package turns into a Go string; anything else is not a string.
    private static string? ReadString(AsnReader reader)
    {
        var tag = reader.PeekTag();
        if (tag.TagClass == TagClass.Universal)
        {
            switch ((UniversalTagNumber)tag.TagValue)
            {
                case UniversalTagNumber.UTF8String:
                case UniversalTagNumber.PrintableString:
                case UniversalTagNumber.IA5String:
                case UniversalTagNumber.T61String:
                case UniversalTagNumber.NumericString:
                case UniversalTagNumber.BMPString:
                    return reader.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            }
        }
        reader.ReadEncodedValue();
        return null;
    }
}
