using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// TLS on leaf links as nats-server 2.9.10 does it: the hub's INFO in the clear, then the
/// handshake (the hub the TLS server, the leaf the client checking the hub's certificate).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class TlsTests
{
    private static async Task ExpectTrafficAsync(OurServer ours, Func<Task<RawClient>> otherClient, Func<string, Task> waitOtherHasInterest, bool oursIsHub)
    {
        await using var ourSub = await ours.ClientAsync();
        await Leaf.SubAsync(ourSub, "secure.in", "1");
        await waitOtherHasInterest("secure.in");
        await using var pub = await otherClient();
        await Leaf.PubAsync(pub, "secure.in", "tls");
        await ourSub.ExpectMsgAsync("secure.in", "1", "tls");
    }

    [Test]
    public async Task Our_leaf_and_our_hub_talk_over_tls()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            leafnodes { remotes: [ { url: "nats-leaf://localhost:{{port}}", tls { ca_file: "{{cert.CertPath}}" } } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the TLS leaf connects");
        Assert.That(hub.Manager.Connections.Single().Tls, Is.Not.Null);
        await ExpectTrafficAsync(hub, () => leaf.ClientAsync(), s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), "interest"), oursIsHub: true);
    }

    [Test]
    public async Task A_leaf_without_tls_configuration_is_not_admitted_by_a_tls_hub()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://localhost:{{port}}" } ] }""");
        await Task.Delay(2000);
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task Our_leaf_connects_over_tls_to_a_nats_server_hub()
    {
        using var cert = new SelfSignedCertificate();
        await using var hub = await ReferenceServer.StartWithPortsAsync($$"""
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            leafnodes { remotes: [ { url: "nats-leaf://localhost:{{hub.LeafPort}}", tls { ca_file: "{{cert.CertPath}}" } } ] }
            """);
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our TLS leaf connects to nats-server");
        await ExpectTrafficAsync(leaf, () => hub.ClientAsync(), s => Leaf.UntilAsync(() => hub.LeafHasSubAsync(s), "interest"), oursIsHub: false);
    }

    [Test]
    public async Task A_nats_server_leaf_connects_over_tls_to_our_hub()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            """);
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://localhost:{{port}}", tls { ca_file: "{{cert.CertPath}}" } } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's TLS leaf connects to our hub");
        await ExpectTrafficAsync(hub, () => leaf.ClientAsync(), s => Leaf.UntilAsync(() => leaf.LeafHasSubAsync(s), "interest"), oursIsHub: true);
    }
}
