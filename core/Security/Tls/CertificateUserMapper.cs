using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Security.Tls;

/// <summary>
/// Finds the user a client certificate stands for, trying the certificate's identities in
/// nats-server's order (<c>checkClientTLSCertSubject</c>): e-mail SANs, DNS SANs, URI SANs,
/// each looked up as a user name; then the subject as a DN compared with user names written
/// as DNs (same order first, then any order); then Go's subject string with the domain
/// components appended; then Go's subject string alone.
/// </summary>
internal static class CertificateUserMapper
{
    /// <summary>
    /// The first user found, or default. <paramref name="byName"/> looks up an exact user
    /// name; <paramref name="byDn"/> finds a user whose name parses as a DN equal to the subject.
    /// </summary>
    public static T? Map<T>(X509Certificate2 certificate, Func<string, T?> byName, Func<DistinguishedName, T?> byDn)
        where T : class
    {
        var sans = SubjectAltNames.Of(certificate);
        foreach (var candidate in sans.Emails.Concat(sans.DnsNames).Concat(sans.Uris))
        {
            if (byName(candidate) is { } user)
            {
                return user;
            }
        }
        var rdns = SubjectRdns.Decode(certificate.SubjectName);
        if (rdns is null)
        {
            return null;
        }
        if (DistinguishedName.FromSubject(rdns) is { } dn && byDn(dn) is { } byDistinguishedName)
        {
            return byDistinguishedName;
        }
        var subject = GoSubjectString.Format(rdns);
        var dcs = GoSubjectString.DomainComponents(rdns);
        if (dcs.Length > 0 && byName(subject + "," + dcs) is { } withDomain)
        {
            return withDomain;
        }
        return byName(subject);
    }

    /// <summary>What the certificate would be matched as, for a log line when nothing matched.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        SubjectRdns.Decode(certificate.SubjectName) is { } rdns ? GoSubjectString.Format(rdns) : certificate.Subject;
}
