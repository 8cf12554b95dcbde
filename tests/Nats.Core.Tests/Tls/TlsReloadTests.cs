using Microsoft.Extensions.Logging;
using static Nats.Core.Tests.Tls.TlsTestSupport;
using Nats.TestSupport;

namespace Nats.Core.Tests.Tls;

/// <summary>Certificates replaced under live connections: by a reload, and by themselves with <c>watch: true</c>.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TlsReloadTests : ServersFixture
{
    private TestPki _pki = null!;
    private IssuedCert _live = null!;
    private ListLoggerProvider _logs = null!;

    [SetUp]
    public void CreatePki()
    {
        _pki = DisposeAfterServers(new TestPki());
        _live = _pki.Issue("server");
        _logs = new ListLoggerProvider();
    }

    private string Conf(string more = "") =>
        $"tls {{ cert_file: {Q(_live.CertPath)}, key_file: {Q(_live.KeyPath)}, ca_file: {Q(_pki.CaPath)}{more} }}";

    private Task<NatsServer> StartAsync(string conf) => StartAsync(TestConfig.Options(conf), _logs.CreateFactory());

    private TlsClientOptions Client => new() { Trust = _pki.Ca };

    /// <summary>The serial number a brand-new handshake sees.</summary>
    private async Task<string> SerialOfNewHandshakeAsync(NatsServer server)
    {
        await using var probe = await RawClient.ConnectTlsAsync(server.Port, Client);
        return probe.ServerCertificate!.SerialNumber;
    }

    [Test]
    public async Task A_reload_after_replacing_the_files_serves_the_new_certificate_while_old_connections_keep_working()
    {
        var server = await StartAsync(Conf());
        var first = _live.Serial;
        await using var old = await RawClient.ConnectTlsAsync(server.Port, Client);
        await old.SendAsync("SUB rotated 1\r\n");
        await old.FlushAsync();

        var rotated = _pki.Issue("rotated");
        TestPki.Replace(_live, rotated);
        var result = server.Reload(TestConfig.Options(Conf()));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Does.Contain("tls"));
        await using var fresh = await RawClient.ConnectTlsAsync(server.Port, Client);
        await fresh.SendAsync("PUB rotated 3\r\nnew\r\n");
        await fresh.FlushAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(old.ServerCertificate!.SerialNumber, Is.EqualTo(first));
            Assert.That(fresh.ServerCertificate!.SerialNumber, Is.EqualTo(rotated.Serial).And.Not.EqualTo(first));
            Assert.That(await old.ExpectAsync("new\r\n"), Does.Contain("MSG rotated 1 3"), "the connection made with the old certificate still works");
        });
    }

    [Test]
    public async Task A_reload_with_unchanged_files_changes_nothing()
    {
        var server = await StartAsync(Conf());

        var result = server.Reload(TestConfig.Options(Conf()));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Does.Not.Contain("tls"));
    }

    [Test]
    public async Task A_bad_new_certificate_rejects_the_reload_and_nothing_changes()
    {
        var server = await StartAsync(Conf());
        // The new certificate with the old key: they do not belong together.
        File.Copy(_pki.Issue("other").CertPath, _live.CertPath, overwrite: true);

        var result = server.Reload(TestConfig.Options(Conf() + "\nmax_payload: 1000"));

        Assert.Multiple(async () =>
        {
            Assert.That(result.Success, Is.False);
            Assert.That(result.Errors, Has.Some.StartsWith("tls: error parsing X509 certificate/key pair"));
            Assert.That(server.Options.MaxPayload, Is.EqualTo(1024 * 1024), "one bad option rejects the whole reload");
            Assert.That(await SerialOfNewHandshakeAsync(server), Is.EqualTo(_live.Serial));
        });
    }

    [Test]
    public async Task A_reload_naming_a_missing_file_is_rejected()
    {
        var server = await StartAsync(Conf());

        var result = server.Reload(TestConfig.Options($"tls {{ cert_file: {Q(Path.Combine(_pki.Dir, "nope.pem"))}, key_file: {Q(_live.KeyPath)} }}"));

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors.Single(), Does.StartWith("tls: ").And.Contain("nope.pem"));
    }

    [Test]
    public async Task A_reload_can_require_client_certificates()
    {
        var server = await StartAsync(Conf());

        var result = server.Reload(TestConfig.Options(Conf(", verify: true")));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(server.Info.TlsVerify, Is.True);
        Assert.That(await RawClient.TlsRefusalAsync(server.Port, Client), Is.Not.Null);
    }

    [Test]
    public async Task A_reload_can_turn_tls_on_and_off()
    {
        var server = await StartAsync("");
        await using (var plain = await RawClient.ConnectAndFlushAsync(server.Port))
        {
            Assert.That(plain.InfoLine, Does.Not.Contain("tls_required"));
        }

        Assert.That(server.Reload(TestConfig.Options(Conf())).Success, Is.True);
        await using (var secure = await RawClient.ConnectTlsAsync(server.Port, Client))
        {
            Assert.That(secure.InfoLine, Does.Contain("\"tls_required\":true"));
        }

        Assert.That(server.Reload(TestConfig.Options("")).Success, Is.True);
        await using var plainAgain = await RawClient.ConnectAndFlushAsync(server.Port);
        Assert.That(plainAgain.InfoLine, Does.Not.Contain("tls_required"));
    }

    [Test]
    public async Task Ocsp_cannot_change_on_reload()
    {
        var server = await StartAsync(Conf());

        var result = server.Reload(TestConfig.Options(Conf() + "\nocsp: false"));

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors.Single(), Does.StartWith("ocsp: config reload not supported"));
    }

    [Test]
    public async Task Watch_installs_replaced_files_by_itself()
    {
        var server = await StartAsync(Conf(", watch: true"));
        await using var old = await RawClient.ConnectTlsAsync(server.Port, Client);

        var rotated = _pki.Issue("rotated");
        TestPki.Replace(_live, rotated);

        await Eventually.TrueAsync(async () => await SerialOfNewHandshakeAsync(server) == rotated.Serial,
            "a new handshake to see the replaced certificate without a reload", TimeSpan.FromSeconds(15));
        await old.FlushAsync();
        Assert.That(_logs.Contains(LogLevel.Information, "reloaded from changed files"), Is.True);
    }

    [Test]
    public async Task Watch_keeps_the_old_certificate_when_the_new_files_are_bad_and_takes_the_next_good_ones()
    {
        var server = await StartAsync(Conf(", watch: true"));
        var first = _live.Serial;

        await File.WriteAllTextAsync(_live.CertPath, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        await Eventually.TrueAsync(() => _logs.Contains(LogLevel.Error, "keeping the current certificate"), "the error keeping the current certificate", TimeSpan.FromSeconds(15));
        Assert.That(await SerialOfNewHandshakeAsync(server), Is.EqualTo(first));

        var good = _pki.Issue("good");
        TestPki.Replace(_live, good);
        await Eventually.TrueAsync(async () => await SerialOfNewHandshakeAsync(server) == good.Serial, "a new handshake to see the good certificate", TimeSpan.FromSeconds(15));
    }
}
