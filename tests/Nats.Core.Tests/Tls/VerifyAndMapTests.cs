using System.Security.Cryptography.X509Certificates;
using Nats.Core.Security.Tls;
using static Nats.Core.Tests.Tls.TlsTestSupport;
using Nats.TestSupport;

namespace Nats.Core.Tests.Tls;

/// <summary>
/// <c>verify_and_map</c>: which user a client certificate maps to, following nats-server's
/// <c>checkClientTLSCertSubject</c> (its <c>TestTLSClientAuthWithRDNSequence</c> cases, with
/// certificates generated here), and the mapped user's permissions on a live connection.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class VerifyAndMapTests
{
    private const string C = "2.5.4.6";
    private const string ST = "2.5.4.8";
    private const string L = "2.5.4.7";
    private const string O = "2.5.4.10";
    private const string OU = "2.5.4.11";
    private const string CN = "2.5.4.3";
    private const string DC = "0.9.2342.19200300.100.1.25";
    private const string Email = "1.2.840.113549.1.9.1";

    private TestPki _pki = null!;

    [SetUp]
    public void CreatePki() => _pki = new TestPki();

    [TearDown]
    public void RemovePki() => _pki.Dispose();

    private X509Certificate2 Cert(X500DistinguishedName subject, Action<SubjectAlternativeNameBuilder>? sans = null) =>
        _pki.Issue("c" + Guid.NewGuid().ToString("N"), subjectName: subject, sans: sans).Certificate;

    private static (string, string)[] Rdn(params (string, string)[] attributes) => attributes;

    // C=US, ST=CA, L=Los Angeles, O=NATS, OU=NATS, CN=localhost, then the given DCs.
    private static X500DistinguishedName LocalhostSubject(params string[] dcs) => TestPki.Subject(
        [Rdn((C, "US")), Rdn((ST, "CA")), Rdn((L, "Los Angeles")), Rdn((O, "NATS")), Rdn((OU, "NATS")), Rdn((CN, "localhost")),
         .. dcs.Select(dc => Rdn((DC, dc)))]);

    private static string? Map(X509Certificate2 certificate, params string[] users) =>
        CertificateUserMapper.Map(
            certificate,
            name => users.Contains(name) ? name : null,
            dn => users.FirstOrDefault(u => DistinguishedName.TryParse(u, out var parsed) && parsed!.Rdns.Count > 0 && parsed.Matches(dn))
                  ?? users.FirstOrDefault(u => DistinguishedName.TryParse(u, out var parsed) && parsed!.Rdns.Count > 0 && parsed.MatchesInAnyOrder(dn)));

    [Test]
    public void Go_subject_string_is_reproduced()
    {
        var rdns = SubjectRdns.Decode(LocalhostSubject("foo1", "foo2"))!;
        Assert.Multiple(() =>
        {
            Assert.That(GoSubjectString.Format(rdns), Is.EqualTo("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"));
            Assert.That(GoSubjectString.DomainComponents(rdns), Is.EqualTo("DC=foo1,DC=foo2"));
        });
    }

    [TestCase("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2")]
    [TestCase("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US")]
    [TestCase("DC=foo2, DC=foo1, CN=localhost, OU=NATS, O=NATS, L=Los Angeles, ST=CA, C=US")]
    public void A_full_rdn_sequence_maps_in_any_of_the_accepted_spellings(string user) =>
        Assert.That(Map(Cert(LocalhostSubject("foo1", "foo2")), "someone-else", user), Is.EqualTo(user));

    [Test]
    public void A_subject_with_other_domain_components_maps_only_to_the_user_without_them()
    {
        var cert = Cert(LocalhostSubject("foo3", "foo4"));
        string[] withDcs = ["CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2", "DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"];

        Assert.That(Map(cert, withDcs), Is.Null);
        Assert.That(Map(cert, [.. withDcs, "CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"]), Is.EqualTo("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"));
    }

    [Test]
    public void The_dn_in_certificate_order_takes_precedence_over_reordered_spellings()
    {
        // C=US, ST=CA, L=Los Angeles, OU=NATS, O=NATS, CN=*.example.com, DC=example, DC=com
        var cert = Cert(TestPki.Subject(Rdn((C, "US")), Rdn((ST, "CA")), Rdn((L, "Los Angeles")), Rdn((OU, "NATS")), Rdn((O, "NATS")),
            Rdn((CN, "*.example.com")), Rdn((DC, "example")), Rdn((DC, "com"))), san => san.AddDnsName("www.example.com"));

        var user = Map(cert,
            "CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com",
            "DC=com,DC=example,CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US",
            "CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US");

        Assert.That(user, Is.EqualTo("DC=com,DC=example,CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US"));
    }

    [Test]
    public void Several_cns_and_ous_map_by_their_rfc2253_form()
    {
        var subject = TestPki.Subject(Rdn((CN, "John Doe")), Rdn((CN, "123456")), Rdn((CN, "jdoe")), Rdn((OU, "Users")),
            Rdn((OU, "Organic Units")), Rdn((DC, "acme")), Rdn((DC, "com")));
        var cert = Cert(subject);

        Assert.That(GoSubjectString.Format(SubjectRdns.Decode(subject)!), Is.EqualTo("CN=jdoe,OU=Users+OU=Organic Units"));
        Assert.That(Map(cert, "DC=com,DC=acme,OU=Organic Units,OU=Users,CN=jdoe,CN=123456,CN=John Doe"), Is.Not.Null);
    }

    [Test]
    public void A_multi_valued_rdn_maps()
    {
        var subject = TestPki.Subject(Rdn((DC, "org")), Rdn((DC, "OpenSSL")), Rdn((DC, "DEV"), (O, "users")), Rdn((CN, "John Doe")));

        Assert.That(GoSubjectString.Format(SubjectRdns.Decode(subject)!), Is.EqualTo("CN=John Doe,O=users"));
        Assert.That(Map(Cert(subject), "CN=John Doe,DC=DEV+O=users,DC=OpenSSL,DC=org"), Is.Not.Null);
    }

    [Test]
    public void San_entries_come_before_the_subject()
    {
        var cert = Cert(new X500DistinguishedName("CN=app"), san =>
        {
            san.AddEmailAddress("app@example.com");
            san.AddDnsName("app.nats.prod");
            san.AddUri(new Uri("spiffe://example.org/app"));
        });

        Assert.Multiple(() =>
        {
            Assert.That(Map(cert, "CN=app", "app.nats.prod", "app@example.com"), Is.EqualTo("app@example.com"));
            Assert.That(Map(cert, "CN=app", "app.nats.prod"), Is.EqualTo("app.nats.prod"));
            Assert.That(Map(cert, "CN=app", "spiffe://example.org/app"), Is.EqualTo("spiffe://example.org/app"));
            Assert.That(Map(cert, "CN=app"), Is.EqualTo("CN=app"));
        });
    }

    [Test]
    public void An_attribute_go_cannot_name_still_maps_by_the_subject_string()
    {
        // emailAddress in the subject: no DN for nats-server's ldap package, but Go's string drops it.
        var cert = Cert(TestPki.Subject(Rdn((CN, "bob")), Rdn((Email, "bob@example.com"))));
        Assert.That(Map(cert, "CN=bob"), Is.EqualTo("CN=bob"));
    }

    [Test]
    public async Task A_mapped_user_connects_without_a_password_and_gets_its_permissions()
    {
        var server = _pki.Issue("server");
        var options = TestConfig.Options($$"""
            tls { cert_file: {{Q(server.CertPath)}}, key_file: {{Q(server.KeyPath)}}, ca_file: {{Q(_pki.CaPath)}}, verify_and_map: true }
            authorization {
              users = [
                { user: "CN=alice,O=Acme", permissions: { publish: "alice.>", subscribe: "alice.>" } }
                { user: "bob", password: "secret" }
              ]
            }
            """);
        await using var nats = new NatsServer(options);
        await nats.StartAsync();
        var trust = new TlsClientOptions { Trust = _pki.Ca };

        await using var alice = await RawClient.ConnectTlsAsync(nats.Port, trust with { ClientCertificate = _pki.Issue("alice", "CN=alice,O=Acme").WithKey() });
        await alice.SendAsync("SUB alice.in 1\r\nPUB alice.in 2\r\nok\r\nPUB bob.in 2\r\nno\r\n");
        var seen = await alice.ExpectAsync("Permissions Violation for Publish to \"bob.in\"");
        var stranger = await RawClient.TlsRefusalAsync(nats.Port, trust with { ClientCertificate = _pki.Issue("mallory", "CN=mallory").WithKey() });
        // A password no longer gets in: the certificate decides.
        var bobWithPassword = await RawClient.TlsRefusalAsync(nats.Port, trust with
        {
            ClientCertificate = _pki.Issue("other", "CN=other").WithKey(),
            Connect = "{\"user\":\"bob\",\"pass\":\"secret\",\"protocol\":1}",
        });

        Assert.Multiple(() =>
        {
            Assert.That(seen, Does.Contain("MSG alice.in 1 2"));
            Assert.That(nats.Clients.Single().User, Is.EqualTo("CN=alice,O=Acme"));
            Assert.That(stranger, Does.Contain("Authorization Violation"));
            Assert.That(bobWithPassword, Does.Contain("Authorization Violation"));
        });
    }
}
