using System.Globalization;
using System.Text;

namespace Nats.Core.Security.Tls;

/// <summary>
/// An RFC 4514 distinguished name as nats-server's <c>internal/ldap</c> package models it, for
/// matching a certificate's subject against user names written as DNs: parsed from a string
/// (<see cref="TryParse"/>) or from a certificate's raw subject (<see cref="FromSubject"/>),
/// compared position by position (<see cref="Matches"/>) or in any order (<see cref="MatchesInAnyOrder"/>).
/// </summary>
internal sealed class DistinguishedName
{
    // The attribute types nats-server's ldap package can name; a subject with any other is not a DN to it.
    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.5"] = "SERIALNUMBER",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "STREET",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.17"] = "POSTALCODE",
        ["0.9.2342.19200300.100.1.25"] = "DC",
    };

    private DistinguishedName(List<List<(string Type, string Value)>> rdns) => Rdns = rdns;

    /// <summary>The RDNs in string order (most specific first), each a set of type/value pairs.</summary>
    public IReadOnlyList<List<(string Type, string Value)>> Rdns { get; }

    /// <summary>
    /// The DN of a certificate subject (reversed into string order, as <c>FromRawCertSubject</c>);
    /// null when an attribute has a type nats-server cannot name or a value that is not a string.
    /// </summary>
    public static DistinguishedName? FromSubject(List<List<SubjectAttribute>> subject)
    {
        var rdns = new List<List<(string, string)>>();
        for (var i = subject.Count - 1; i >= 0; i--)
        {
            if (subject[i].Count == 0)
            {
                continue;
            }
            var rdn = new List<(string, string)>();
            for (var j = subject[i].Count - 1; j >= 0; j--)
            {
                var attribute = subject[i][j];
                if (!TypeNames.TryGetValue(attribute.Oid, out var type) || attribute.Value is null)
                {
                    return null;
                }
                rdn.Add((type, attribute.Value));
            }
            rdns.Add(rdn);
        }
        return new DistinguishedName(rdns);
    }

    /// <summary>Parses a DN string with the rules of nats-server's <c>ldap.ParseDN</c>; false when it is not one.</summary>
    public static bool TryParse(string text, out DistinguishedName? dn)
    {
        dn = null;
        var bytes = Encoding.UTF8.GetBytes(text);
        var rdns = new List<List<(string, string)>>();
        var rdn = new List<(string, string)>();
        var buffer = new List<byte>();
        string? type = null;
        var escaping = false;
        var trailingSpaces = 0;

        string Take()
        {
            var value = Encoding.UTF8.GetString(buffer.Take(buffer.Count - trailingSpaces).ToArray());
            buffer.Clear();
            trailingSpaces = 0;
            return value;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var c = bytes[i];
            if (escaping)
            {
                trailingSpaces = 0;
                escaping = false;
                if (c is (byte)' ' or (byte)'"' or (byte)'#' or (byte)'+' or (byte)',' or (byte)';' or (byte)'<' or (byte)'=' or (byte)'>' or (byte)'\\')
                {
                    buffer.Add(c);
                    continue;
                }
                // Anything else starts a hex-encoded byte.
                if (i + 1 >= bytes.Length ||
                    !byte.TryParse(Encoding.ASCII.GetString(bytes, i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var decoded))
                {
                    return false;
                }
                buffer.Add(decoded);
                i++;
            }
            else if (c == (byte)'\\')
            {
                trailingSpaces = 0;
                escaping = true;
            }
            else if (c == (byte)'=')
            {
                type = Take();
                if (i + 1 < bytes.Length && bytes[i + 1] == (byte)'#')
                {
                    return false; // BER-encoded values are not supported, as in nats-server
                }
            }
            else if (c is (byte)',' or (byte)'+')
            {
                if (string.IsNullOrEmpty(type))
                {
                    return false;
                }
                rdn.Add((type, Take()));
                type = null;
                if (c == (byte)',')
                {
                    rdns.Add(rdn);
                    rdn = [];
                }
            }
            else if (c == (byte)' ' && buffer.Count == 0)
            {
                // leading spaces are not part of a type or value
            }
            else
            {
                trailingSpaces = c == (byte)' ' ? trailingSpaces + 1 : 0;
                buffer.Add(c);
            }
        }
        if (buffer.Count > 0)
        {
            if (string.IsNullOrEmpty(type))
            {
                return false;
            }
            rdn.Add((type, Take()));
            rdns.Add(rdn);
        }
        dn = new DistinguishedName(rdns);
        return true;
    }

    /// <summary>distinguishedNameMatch: the same RDNs at the same positions.</summary>
    public bool Matches(DistinguishedName other) =>
        Rdns.Count == other.Rdns.Count && Rdns.Zip(other.Rdns).All(p => SameRdn(p.First, p.Second));

    /// <summary>The same RDNs, in any order (nats-server's <c>RDNsMatch</c>).</summary>
    public bool MatchesInAnyOrder(DistinguishedName other) =>
        Rdns.Count == other.Rdns.Count && Rdns.All(mine => other.Rdns.Any(theirs => SameRdn(mine, theirs)));

    // RDNs are sets: same size, every attribute of each found in the other; types ignore case.
    private static bool SameRdn(List<(string Type, string Value)> a, List<(string Type, string Value)> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => Same(x, y))) && b.All(y => a.Any(x => Same(x, y)));

    private static bool Same((string Type, string Value) a, (string Type, string Value) b) =>
        string.Equals(a.Type, b.Type, StringComparison.OrdinalIgnoreCase) && a.Value == b.Value;
}
