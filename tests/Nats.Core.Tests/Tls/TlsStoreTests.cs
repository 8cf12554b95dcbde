using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Nats.Core.Config;
using Nats.Core.Security.Tls;

namespace Nats.Core.Tests.Tls;

/// <summary>The store on its own: loading, validation, atomic replacement, removal, outbound options.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class TlsStoreTests
{
    private TestPki _pki = null!;
    private TlsStore _store = null!;

    [SetUp]
    public void Create()
    {
        _pki = new TestPki();
        _store = new TlsStore();
    }

    [TearDown]
    public void Cleanup()
    {
        _store.Dispose();
        _pki.Dispose();
    }

    private TlsOptions Options(IssuedCert cert, bool verify = false) =>
        new() { CertFile = cert.CertPath, KeyFile = cert.KeyPath, CaFile = _pki.CaPath, Verify = verify };

    [Test]
    public void A_replacement_leaves_options_already_handed_out_on_the_old_certificate()
    {
        var first = _pki.Issue("first", kind: KeyKind.Rsa);
        var second = _pki.Issue("second");
        var changed = new List<string>();
        _store.Changed += changed.Add;
        _store.Set("listener", Options(first));
        var inFlight = _store.GetServerOptions("listener")!;

        _store.Set("listener", Options(second));
        var next = _store.GetServerOptions("listener")!;

        Assert.Multiple(() =>
        {
            Assert.That(inFlight.ServerCertificateContext!.TargetCertificate.SerialNumber, Is.EqualTo(first.Serial));
            Assert.That(next.ServerCertificateContext!.TargetCertificate.SerialNumber, Is.EqualTo(second.Serial));
            Assert.That(changed, Is.EqualTo(new[] { "listener", "listener" }));
        });
    }

    [Test]
    public void Validate_checks_without_installing()
    {
        var good = _pki.Issue("good");
        var other = _pki.Issue("other");

        _store.Validate(Options(good));
        var mismatched = Options(good) with { KeyFile = other.KeyPath };
        var ex = Assert.Throws<ConfigException>(() => _store.Validate(mismatched));

        Assert.That(ex!.Message, Does.StartWith("error parsing X509 certificate/key pair"));
        Assert.That(_store.Get("x"), Is.Null);
    }

    [Test]
    public void A_failed_set_keeps_the_previous_certificate()
    {
        var good = _pki.Issue("good");
        _store.Set("listener", Options(good));

        Assert.Throws<ConfigException>(() => _store.Set("listener", Options(good) with { CaFile = Path.Combine(_pki.Dir, "missing-ca.pem") }));

        Assert.That(_store.GetServerOptions("listener")!.ServerCertificateContext!.TargetCertificate.SerialNumber, Is.EqualTo(good.Serial));
    }

    [Test]
    public void Setting_null_removes_the_set()
    {
        _store.Set("listener", Options(_pki.Issue("good")));

        _store.Set("listener", null);

        Assert.That(_store.Get("listener"), Is.Null);
        Assert.That(_store.GetServerOptions("listener"), Is.Null);
        Assert.That(_store.GetClientOptions("listener", "127.0.0.1"), Is.Null);
    }

    [Test]
    public async Task The_chain_after_the_certificate_in_its_file_is_sent_to_peers()
    {
        // Leaf then intermediate in cert_file; peers trust only the root.
        using var intermediate = _pki.Intermediate();
        var leaf = intermediate.Issue("leaf");
        File.AppendAllText(leaf.CertPath, intermediate.Ca.ExportCertificatePem() + "\n");
        _store.Set("in", new TlsOptions { CertFile = leaf.CertPath, KeyFile = leaf.KeyPath });
        _store.Set("out", new TlsOptions { CaFile = _pki.CaPath });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var accept = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsServerAsync(_store.GetServerOptions("in")!);
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        await using var client = new SslStream(tcp.GetStream());
        await client.AuthenticateAsClientAsync(_store.GetClientOptions("out", "127.0.0.1")!);
        await accept;

        Assert.That(_store.GetServerOptions("in")!.ServerCertificateContext!.IntermediateCertificates.Single().Subject, Is.EqualTo(intermediate.Ca.Subject));
        Assert.That(client.RemoteCertificate!.GetSerialNumberString(), Is.EqualTo(leaf.Serial));
    }

    [Test]
    public async Task Outbound_options_present_the_certificate_and_verify_the_peer_against_the_ca()
    {
        var serverCert = _pki.Issue("server");
        var clientCert = _pki.Issue("client", "CN=dialler");
        _store.Set("in", Options(serverCert, verify: true));
        _store.Set("out", Options(clientCert));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var accept = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsServerAsync(_store.GetServerOptions("in")!);
            return ssl.RemoteCertificate!.Subject;
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var client = new SslStream(tcp.GetStream());
        await client.AuthenticateAsClientAsync(_store.GetClientOptions("out", "127.0.0.1")!);

        Assert.That(await accept, Is.EqualTo("CN=dialler"));
        Assert.That(client.RemoteCertificate!.GetSerialNumberString(), Is.EqualTo(serverCert.Serial));
    }

    [Test]
    public void Outbound_options_refuse_a_server_from_another_ca_unless_insecure()
    {
        using var stranger = new TestPki(caName: "CN=Stranger CA");
        var foreign = stranger.Issue("foreign");
        _store.Set("out", new TlsOptions { CaFile = _pki.CaPath });
        _store.Set("lax", new TlsOptions { CaFile = _pki.CaPath, Insecure = true });

        var strict = _store.GetClientOptions("out", "127.0.0.1")!.RemoteCertificateValidationCallback!;
        var lax = _store.GetClientOptions("lax", "127.0.0.1")!.RemoteCertificateValidationCallback!;

        Assert.That(strict(this, foreign.Certificate, null, SslPolicyErrors.RemoteCertificateChainErrors), Is.False);
        Assert.That(lax(this, foreign.Certificate, null, SslPolicyErrors.RemoteCertificateChainErrors), Is.True);
    }
}
