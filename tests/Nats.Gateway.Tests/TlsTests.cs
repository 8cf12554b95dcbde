using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>Gateways over TLS, between our servers and with nats-server 2.9.10.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class TlsTests
{
    private static string Tls(SelfSignedCertificate certificate) =>
        $"tls {{ cert_file: \"{certificate.CertPath}\", key_file: \"{certificate.KeyPath}\", ca_file: \"{certificate.CertPath}\", timeout: 5 }}";

    [Test]
    public async Task Our_clusters_talk_over_TLS()
    {
        using var certificate = new SelfSignedCertificate();
        var ports = FreePorts.Take(2);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])) + "\n" + Tls(certificate));
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1], ("A", ports[0])) + "\n" + Tls(certificate));
        await a.WaitForGatewayAsync("B");
        await b.WaitForGatewayAsync("A");
        var (outbound, inbound) = a.Manager.Connections();
        Assert.That(outbound.Concat(inbound).All(c => c.Tls is not null), Is.True, "every gateway connection is encrypted");
        Assert.That(outbound[0].Tls!.PeerCertificate?.Thumbprint, Is.EqualTo(certificate.Thumbprint));

        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var sub = await onB.SubscribeCoreAsync<string>("secure");
        await Gateways.WaitForInterestAsync(onA, sub, "secure");
        await onA.PublishAsync("secure", "sealed");
        Assert.That(await Gateways.ReadAsync(sub, 1), Is.EqualTo(new[] { "sealed" }));
    }

    [Test]
    public async Task Our_cluster_and_nats_server_talk_over_TLS_both_ways()
    {
        if (ReferenceServer.FindBinary() is null)
        {
            Assert.Ignore("nats-server is not installed");
        }
        using var certificate = new SelfSignedCertificate();
        var ports = FreePorts.Take(3);
        await using var ours = await OurServer.StartAsync("ours1", Gateways.Block("OURS", ports[0], ("GO", ports[1])) + "\n" + Tls(certificate));
        var goBlock = $"name: GO\nlisten: \"127.0.0.1:{ports[1]}\"\n{Tls(certificate)}\ngateways: [{Gateways.Remote("OURS", ports[0])}]";
        await using var theirs = await ReferenceServer.StartAsync(Gateways.ReferenceConfig("go1", ports[2], goBlock), ports[2]);
        await ours.WaitForGatewayAsync("GO", TimeSpan.FromSeconds(20));
        var (outbound, inbound) = ours.Manager.Connections();
        Assert.That(outbound.Concat(inbound).All(c => c.Tls is not null), Is.True);

        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{ports[2]}");
        await using var subTheirs = await onTheirs.SubscribeCoreAsync<string>("tls.go");
        await using var subOurs = await onOurs.SubscribeCoreAsync<string>("tls.ours");
        await Gateways.WaitForInterestAsync(onOurs, subTheirs, "tls.go");
        await Gateways.WaitForInterestAsync(onTheirs, subOurs, "tls.ours");
    }
}
