using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Nats.Core.Config;
using Nats.Core.Connections;
using static Nats.Core.Tests.Tls.TlsTestSupport;
using Nats.TestSupport;

namespace Nats.Core.Tests.Tls;

/// <summary>TLS on the client port: INFO flags, handshake, verify, pins, versions, handshake_first, allow_non_tls.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientTlsTests : ServersFixture
{
    private TestPki _pki = null!;

    [SetUp]
    public void CreatePki() => _pki = DisposeAfterServers(new TestPki());

    private Task<NatsServer> StartAsync(string tlsBlock, string extra = "") =>
        StartAsync(TestConfig.Options($"tls {tlsBlock}\n{extra}"));

    private string Block(IssuedCert cert, string more = "") =>
        $"{{ cert_file: {Q(cert.CertPath)}, key_file: {Q(cert.KeyPath)}, ca_file: {Q(_pki.CaPath)}{(more.Length > 0 ? ", " + more : "")} }}";

    private TlsClientOptions Client(IssuedCert? clientCert = null) =>
        new() { Trust = _pki.Ca, ClientCertificate = clientCert?.WithKey() };

    [TestCase(KeyKind.Rsa)]
    [TestCase(KeyKind.Ecdsa)]
    public async Task A_tls_client_publishes_and_receives(KeyKind kind)
    {
        var cert = _pki.Issue("server", kind: kind);
        var server = await StartAsync(Block(cert));

        await using var subscriber = await RawClient.ConnectTlsAsync(server.Port, Client());
        await subscriber.SendAsync("SUB greet 1\r\n");
        await subscriber.FlushAsync();
        await using var publisher = await RawClient.ConnectTlsAsync(server.Port, Client());
        await publisher.SendAsync("PUB greet 5\r\nhello\r\n");
        await publisher.FlushAsync();

        var message = await subscriber.ExpectAsync("hello\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("MSG greet 1 5"));
            Assert.That(subscriber.InfoLine, Does.Contain("\"tls_required\":true"));
            Assert.That(subscriber.InfoLine, Does.Not.Contain("tls_verify"));
            Assert.That(subscriber.ServerCertificate!.SerialNumber, Is.EqualTo(cert.Serial));
            Assert.That(server.Info.TlsRequired, Is.True);
        });
    }

    [Test]
    public async Task The_connection_reports_its_tls_version_and_cipher()
    {
        var server = await StartAsync(Block(_pki.Issue("server")));
        await using var client = await RawClient.ConnectTlsAsync(server.Port, Client());

        var connection = server.Clients.Single();
        Assert.That(connection.Tls, Is.Not.Null);
        Assert.That(connection.Tls!.Protocol, Is.EqualTo(client.TlsProtocol));
        Assert.That(connection.Tls.CipherSuite, Is.EqualTo(client.CipherSuite.ToString()));
    }

    [Test]
    public async Task A_plain_client_on_a_tls_port_fails_the_handshake()
    {
        var server = await StartAsync(Block(_pki.Issue("server")));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("CONNECT {}\r\nPING\r\n"u8.ToArray());

        await Eventually.TrueAsync(() => server.ClosedClients.Any(), "the connection closed");
        Assert.That(server.ClosedClients.Single().Info.Reason, Is.EqualTo(ClosedReason.TlsHandshakeError.ToDisplayString()));
    }

    [Test]
    public async Task A_client_that_never_handshakes_is_closed_after_the_timeout()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "timeout: 0.3"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);

        await Eventually.TrueAsync(() => server.ClosedClients.Any(), "the connection closed");
        Assert.That(server.ClosedClients.Single().Info.Reason, Is.EqualTo("TLS Handshake Failure"));
    }

    [Test]
    public async Task Verify_refuses_a_client_without_a_certificate_and_admits_one_with()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "verify: true"));

        var refusal = await RawClient.TlsRefusalAsync(server.Port, Client());
        await using var admitted = await RawClient.ConnectTlsAsync(server.Port, Client(_pki.Issue("client", "CN=client")));

        Assert.That(refusal, Is.Not.Null, "a client without a certificate must be refused");
        Assert.That(admitted.InfoLine, Does.Contain("\"tls_verify\":true"));
        await Eventually.TrueAsync(() => server.Clients.Count == 1, "the client connected");
        Assert.That(server.Clients.Single().Tls!.PeerCertificate!.Subject, Is.EqualTo("CN=client"));
    }

    [Test]
    public async Task Verify_refuses_a_certificate_from_another_ca()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "verify: true"));
        using var stranger = new TestPki(caName: "CN=Stranger CA");

        var refusal = await RawClient.TlsRefusalAsync(server.Port, Client(stranger.Issue("client", "CN=intruder")));

        Assert.That(refusal, Is.Not.Null);
        await Eventually.TrueAsync(() => server.ClosedClients.Any(c => c.Info.Reason == "TLS Handshake Failure"), "a close for TLS Handshake Failure");
    }

    [Test]
    public async Task Pinned_certs_admit_a_pinned_key_and_refuse_others()
    {
        var pinned = _pki.Issue("pinned", "CN=pinned");
        var other = _pki.Issue("other", "CN=other");
        var server = await StartAsync(Block(_pki.Issue("server"), $"verify: true, pinned_certs: [\"{pinned.Pin.ToUpperInvariant()}\"]"));

        await using var admitted = await RawClient.ConnectTlsAsync(server.Port, Client(pinned));
        var refusal = await RawClient.TlsRefusalAsync(server.Port, Client(other));

        Assert.That(refusal, Is.Not.Null, "a verified but unpinned certificate must be refused");
        // The client may see the alert before the server has finished closing its side.
        await Eventually.TrueAsync(() => server.Clients.Count == 1, "the client connected");
    }

    [Test]
    public async Task Min_version_refuses_older_clients()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "min_version: \"1.3\""));

        var refusal = await RawClient.TlsRefusalAsync(server.Port, Client() with { Protocols = SslProtocols.Tls12 });
        await using var modern = await RawClient.ConnectTlsAsync(server.Port, Client());

        Assert.That(refusal, Is.Not.Null, "a TLS 1.2 client must be refused");
        Assert.That(modern.TlsProtocol, Is.EqualTo(SslProtocols.Tls13));
    }

    [Test]
    public async Task Cipher_suites_limit_what_tls12_negotiates()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]"));

        await using var client = await RawClient.ConnectTlsAsync(server.Port, Client() with { Protocols = SslProtocols.Tls12 });

        Assert.That(client.CipherSuite, Is.EqualTo(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384));
    }

    [Test]
    public async Task Handshake_first_sends_info_only_after_tls()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "handshake_first: true"));

        await using var client = await RawClient.ConnectTlsAsync(server.Port, Client() with { HandshakeFirst = true });
        await client.SendAsync("SUB x 1\r\nPUB x 2\r\nhi\r\n");

        Assert.That(client.InfoLine, Does.StartWith("INFO ").And.Contain("\"tls_required\":true"));
        Assert.That(await client.ExpectAsync("hi\r\n"), Does.Contain("MSG x 1 2"));
    }

    [Test]
    public async Task Handshake_first_without_fallback_sends_nothing_in_the_clear()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "handshake_first: true, timeout: 0.5"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        var buffer = new byte[256];

        // The server waits for a ClientHello and closes when none comes; it never writes INFO.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await tcp.GetStream().ReadAsync(buffer, cts.Token);

        Assert.That(read, Is.Zero, "no INFO before TLS: " + Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Test]
    public async Task Handshake_first_with_fallback_serves_both_kinds_of_client()
    {
        var server = await StartAsync(Block(_pki.Issue("server"), "handshake_first: \"100ms\""));

        await using var tlsFirst = await RawClient.ConnectTlsAsync(server.Port, Client() with { HandshakeFirst = true });
        // A client waiting for INFO gets it in the clear after the delay, then upgrades as usual.
        await using var classic = await RawClient.ConnectTlsAsync(server.Port, Client());

        Assert.That(tlsFirst.InfoLine, Does.StartWith("INFO "));
        Assert.That(classic.InfoLine, Does.StartWith("INFO ").And.Contain("\"tls_required\":true"));
        Assert.That(server.Clients.All(c => c.Tls is not null), Is.True);
    }

    [Test]
    public async Task Allow_non_tls_accepts_plain_and_tls_clients()
    {
        var server = await StartAsync(Block(_pki.Issue("server")), "allow_non_tls: true");

        await using var secure = await RawClient.ConnectTlsAsync(server.Port, Client());
        await using var plain = await RawClient.ConnectAndFlushAsync(server.Port);
        await secure.SendAsync("SUB mixed 1\r\n");
        await secure.FlushAsync();
        await plain.SendAsync("PUB mixed 2\r\nok\r\n");

        Assert.That(plain.InfoLine, Does.Contain("\"tls_available\":true").And.Not.Contain("tls_required"));
        Assert.That(await secure.ExpectAsync("ok\r\n"), Does.Contain("MSG mixed 1 2"));
        Assert.That(server.Clients.Count(c => c.Tls is null), Is.EqualTo(1));
    }

    [Test]
    public async Task Tls_flags_replace_the_certificate_of_the_tls_block()
    {
        var fromFile = _pki.Issue("file");
        var fromFlags = _pki.Issue("flags");
        var options = TestConfig.Options($"tls {Block(fromFile)}");
        options.Flags.TlsCert = fromFlags.CertPath;
        options.Flags.TlsKey = fromFlags.KeyPath;
        options.Flags.TlsVerify = true;
        options.Flags.TlsCaCert = _pki.CaPath;
        var server = await StartAsync(options);

        await using var client = await RawClient.ConnectTlsAsync(server.Port, Client(_pki.Issue("client", "CN=client")));

        Assert.That(client.ServerCertificate!.SerialNumber, Is.EqualTo(fromFlags.Serial));
        Assert.That(client.InfoLine, Does.Contain("\"tls_verify\":true"));
    }

    [Test]
    public async Task Tls_false_flag_turns_tls_off()
    {
        var options = TestConfig.Options($"tls {Block(_pki.Issue("server"))}");
        options.Flags.Tls = false;
        var server = await StartAsync(options);

        await using var plain = await RawClient.ConnectAndFlushAsync(server.Port);

        Assert.That(plain.InfoLine, Does.Not.Contain("tls_"));
    }

    [Test]
    public async Task A_server_whose_certificate_does_not_load_does_not_start()
    {
        var cert = _pki.Issue("server");
        var stranger = _pki.Issue("stranger");
        // The key of another certificate: nats-server refuses this pair too.
        await using var server = new NatsServer(TestConfig.Options($"tls {{ cert_file: {Q(cert.CertPath)}, key_file: {Q(stranger.KeyPath)} }}"));

        var ex = Assert.ThrowsAsync<ConfigurationException>(() => server.StartAsync());
        Assert.That(ex!.Message, Does.StartWith("tls: error parsing X509 certificate/key pair"));
    }

    [Test]
    public async Task An_expired_certificate_is_refused()
    {
        var expired = _pki.Issue("expired", notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        await using var server = new NatsServer(TestConfig.Options($"tls {Block(expired)}"));

        var ex = Assert.ThrowsAsync<ConfigurationException>(() => server.StartAsync());
        Assert.That(ex!.Message, Does.StartWith("tls: ").And.Contain("expired"));
    }
}
