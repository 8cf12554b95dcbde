using System.Text;

namespace Nats.Core.Security.Tls;

/// <summary>
/// The subject strings nats-server matches user names against, built exactly as Go builds
/// them, so user names written for nats-server map the same certificates here:
/// <see cref="Format"/> is Go's <c>cert.Subject.ToRDNSequence().String()</c> (RFC 2253 style:
/// last RDN first, the attributes Go's <c>pkix.Name</c> knows, in its fixed order) and
/// <see cref="DomainComponents"/> is nats-server's <c>getTLSAuthDCs</c>.
/// </summary>
internal static class GoSubjectString
{
    private const string DomainComponentOid = "0.9.2342.19200300.100.1.25";

    // pkix.Name.ToRDNSequence's order; each type becomes one RDN holding all its values.
    private static readonly (string Oid, string Name)[] Order =
    [
        ("2.5.4.6", "C"),
        ("2.5.4.8", "ST"),
        ("2.5.4.7", "L"),
        ("2.5.4.9", "STREET"),
        ("2.5.4.17", "POSTALCODE"),
        ("2.5.4.10", "O"),
        ("2.5.4.11", "OU"),
        ("2.5.4.3", "CN"),
        ("2.5.4.5", "SERIALNUMBER"),
    ];

    /// <summary>Go's string form of a subject decoded by <see cref="SubjectRdns"/>.</summary>
    public static string Format(List<List<SubjectAttribute>> rdns)
    {
        // pkix.Name keeps every value of the multi-valued types and only the last CN and
        // SERIALNUMBER; attributes it has no field for (emailAddress, DC, UID…) are dropped.
        var values = Order.ToDictionary(o => o.Oid, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var attribute in rdns.SelectMany(r => r))
        {
            if (attribute.Value is null || !values.TryGetValue(attribute.Oid, out var list))
            {
                continue;
            }
            if (attribute.Oid is "2.5.4.3" or "2.5.4.5")
            {
                list.Clear();
            }
            list.Add(attribute.Value);
        }
        var sequence = Order.Where(o => values[o.Oid].Count > 0).ToList();
        var text = new StringBuilder();
        for (var i = sequence.Count - 1; i >= 0; i--)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }
            var (oid, name) = sequence[i];
            var first = true;
            foreach (var value in values[oid])
            {
                if (!first)
                {
                    text.Append('+');
                }
                first = false;
                text.Append(name).Append('=');
                Escape(text, value);
            }
        }
        return text.ToString();
    }

    /// <summary>The subject's domain components as <c>DC=a,DC=b</c>, in certificate order; empty when none.</summary>
    public static string DomainComponents(List<List<SubjectAttribute>> rdns) =>
        string.Join(",", rdns.SelectMany(r => r)
            .Where(a => a.Oid == DomainComponentOid && a.Value is not null)
            .Select(a => "DC=" + a.Value));

    // Go's RDNSequence.String escaping: , + " \ < > ; always, a space at either end, # first.
    private static void Escape(StringBuilder text, string value)
    {
        for (var k = 0; k < value.Length; k++)
        {
            var c = value[k];
            var escape = c switch
            {
                ',' or '+' or '"' or '\\' or '<' or '>' or ';' => true,
                ' ' => k == 0 || k == value.Length - 1,
                '#' => k == 0,
                _ => false,
            };
            if (escape)
            {
                text.Append('\\');
            }
            text.Append(c);
        }
    }
}
