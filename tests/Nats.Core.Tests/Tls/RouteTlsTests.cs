using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Connections;
using static Nats.Core.Tests.Tls.TlsTestSupport;
using Nats.TestSupport;

namespace Nats.Core.Tests.Tls;

/// <summary>Routes over TLS (<c>cluster { tls {} }</c>): mutual verification, messages, certificate rotation.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RouteTlsTests : ServersFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestPki _pki = null!;

    [SetUp]
    public void CreatePki() => _pki = DisposeAfterServers(new TestPki());

    private static string Conf(string name, IssuedCert cert, string caPath, NatsServer? seed) => $$"""
        server_name: {{name}}
        cluster {
          name: tls-test
          host: 127.0.0.1
          port: -1
          tls { cert_file: {{Q(cert.CertPath)}}, key_file: {{Q(cert.KeyPath)}}, ca_file: {{Q(caPath)}}, timeout: 5 }
          {{(seed is null ? "" : $"routes: [\"nats-route://127.0.0.1:{seed.Routes!.Port}\"]")}}
        }
        """;

    private Task<NatsServer> StartAsync(string conf, ListLoggerProvider? logs = null) =>
        StartAsync(TestConfig.Options(conf), logs?.CreateFactory());

    private static Task RoutedAsync(NatsServer server, int count) =>
        Eventually.TrueAsync(() => server.Routes!.Routes.Count == count, $"{server.Name} to have {count} TLS route(s)", Wait);

    private static async Task AssertMessagesFlowAsync(NatsServer from, NatsServer to, string subject)
    {
        await using var subscriber = await RawClient.ConnectAndFlushAsync(to.Port);
        await subscriber.SendAsync($"SUB {subject} 1\r\n");
        await subscriber.FlushAsync();
        await using var publisher = await RawClient.ConnectAndFlushAsync(from.Port);
        // Interest crosses the route asynchronously: publish until the first message arrives.
        await Eventually.TrueAsync(async () =>
        {
            await publisher.SendAsync($"PUB {subject} 2\r\nok\r\n");
            try
            {
                await subscriber.ExpectAsync($"MSG {subject} 1 2", TimeSpan.FromMilliseconds(200));
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, $"messages to flow from {from.Name} to {to.Name} over the TLS route", Wait);
    }

    [Test]
    public async Task Servers_route_over_verified_tls_and_messages_flow()
    {
        var a = await StartAsync(Conf("a", _pki.Issue("a", "CN=a"), _pki.CaPath, null));
        var b = await StartAsync(Conf("b", _pki.Issue("b", "CN=b"), _pki.CaPath, a));

        await RoutedAsync(a, 1);
        await RoutedAsync(b, 1);
        await AssertMessagesFlowAsync(a, b, "east.west");
        await AssertMessagesFlowAsync(b, a, "west.east");
        var accepted = a.Routes!.Routes.Single();
        var dialled = b.Routes!.Routes.Single();
        Assert.Multiple(() =>
        {
            Assert.That(accepted.Tls?.PeerCertificate?.Subject, Is.EqualTo("CN=b"), "the accepting side saw the dialler's client certificate");
            Assert.That(dialled.Tls?.PeerCertificate?.Subject, Is.EqualTo("CN=a"), "the dialler verified the accepting server");
            Assert.That(accepted.RemoteInfo!.TlsRequired && accepted.RemoteInfo.TlsVerify, Is.True, "route INFO announces TLS");
        });
    }

    [Test]
    public async Task A_server_with_a_certificate_from_another_ca_cannot_join()
    {
        var logs = new ListLoggerProvider();
        var a = await StartAsync(Conf("a", _pki.Issue("a", "CN=a"), _pki.CaPath, null), logs);
        using var stranger = new TestPki(caName: "CN=Stranger CA");
        // The intruder trusts our CA, so only our side's verification can stop it.
        var intruder = await StartAsync(Conf("x", stranger.Issue("x", "CN=x"), _pki.CaPath, a));

        await Eventually.TrueAsync(() => logs.Contains(LogLevel.Error, "TLS route handshake error"), "the TLS route handshake error", Wait);
        Assert.That(a.Routes!.Routes, Is.Empty);
        Assert.That(intruder.Routes!.Routes, Is.Empty);
    }

    [Test]
    public async Task The_route_port_requires_a_client_certificate()
    {
        var a = await StartAsync(Conf("a", _pki.Issue("a", "CN=a"), _pki.CaPath, null));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", a.Routes!.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        var chain = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        chain.CustomTrustStore.Add(_pki.Ca);

        // No certificate of our own: TLS 1.3 finishes our side of the handshake, then the server refuses.
        var refused = false;
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", CertificateChainPolicy = chain });
            var buffer = new byte[512];
            using var cts = new CancellationTokenSource(Wait);
            refused = await ssl.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            refused = true;
        }
        Assert.That(refused, Is.True, "a peer without a certificate must not get the route INFO");
    }

    [Test]
    public async Task After_rotating_the_cluster_certificate_a_new_route_uses_it()
    {
        var a = await StartAsync(Conf("a", _pki.Issue("a", "CN=a"), _pki.CaPath, null));
        var bCert = _pki.Issue("b", "CN=b");
        var bConf = Conf("b", bCert, _pki.CaPath, a);
        var b = await StartAsync(bConf);
        await RoutedAsync(a, 1);
        await RoutedAsync(b, 1);
        Assert.That(a.Routes!.Routes.Single().Tls!.PeerCertificate!.SerialNumber, Is.EqualTo(bCert.Serial));

        var rotated = _pki.Issue("b-rotated", "CN=b");
        TestPki.Replace(bCert, rotated);
        var result = b.Reload(TestConfig.Options(bConf));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Does.Contain("cluster.tls"));
        Assert.That(a.Routes.Routes.Single().Tls!.PeerCertificate!.SerialNumber, Is.EqualTo(bCert.Serial), "the live route keeps its session");

        // Drop the route; b dials a again (an explicit route) with the certificate now in force.
        b.Routes!.Routes.Single().Close(ClosedReason.ClientClosed);
        await Eventually.TrueAsync(
            () => a.Routes.Routes.SingleOrDefault()?.Tls?.PeerCertificate?.SerialNumber == rotated.Serial,
            "the new route to present the rotated certificate", Wait);
        await AssertMessagesFlowAsync(a, b, "after.rotation");
    }

    [Test]
    public async Task A_cluster_certificate_that_does_not_load_stops_the_start()
    {
        var cert = _pki.Issue("a", "CN=a");
        File.Copy(_pki.Issue("other").KeyPath, cert.KeyPath, overwrite: true);
        await using var server = new NatsServer(TestConfig.Options(Conf("a", cert, _pki.CaPath, null)));

        var ex = Assert.ThrowsAsync<ConfigurationException>(() => server.StartAsync());

        Assert.That(ex!.Message, Does.StartWith("cluster.tls: error parsing X509 certificate/key pair"));
    }

    [Test]
    public async Task A_bad_cluster_certificate_rejects_the_reload()
    {
        var a = await StartAsync(Conf("a", _pki.Issue("a", "CN=a"), _pki.CaPath, null));
        var broken = _pki.Issue("broken", "CN=a") with { };
        File.WriteAllText(broken.KeyPath, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var result = a.Reload(TestConfig.Options(Conf("a", broken, _pki.CaPath, null)));

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors.Single(), Does.StartWith("cluster.tls: error parsing X509 certificate/key pair"));
    }
}
