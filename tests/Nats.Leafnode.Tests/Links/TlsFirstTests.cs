using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// Leaf TLS with <c>handshake_first</c> (nats-server 2.10+, so ours–ours: 2.9.10 has no such
/// option): TLS before the hub's INFO, on the hub listener and on a remote; with a fallback
/// delay the hub serves both kinds of leaf.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class TlsFirstTests
{
    private static string Hub(SelfSignedCertificate cert, int port, string handshakeFirst) => $$"""
        leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}", handshake_first: {{handshakeFirst}} } }
        """;

    private static string Leaf(SelfSignedCertificate cert, int port, bool handshakeFirst) => $$"""
        leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://localhost:{{port}}", tls { ca_file: "{{cert.CertPath}}", handshake_first: {{(handshakeFirst ? "true" : "false")}} } } ] }
        """;

    private static async Task ExpectTrafficAsync(OurServer hub, OurServer leaf, string subject)
    {
        await using var hubSub = await hub.ClientAsync();
        await Links.Leaf.SubAsync(hubSub, subject, "1");
        await Links.Leaf.UntilAsync(() => leaf.HasLeafInterest(subject), "the hub's interest reaches the leaf");
        await using var pub = await leaf.ClientAsync();
        await Links.Leaf.PubAsync(pub, subject, "over-tls");
        await hubSub.ExpectMsgAsync(subject, "1", "over-tls");
    }

    [Test]
    public async Task A_tls_first_leaf_links_to_a_tls_first_hub_and_the_info_never_goes_in_the_clear()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(Hub(cert, port, "true"));

        // On the wire: nothing in the clear; a plain client waiting for INFO hears nothing.
        await using (var raw = await RawClient.ConnectAsync(port, readInfo: false))
        {
            var buffer = new byte[64];
            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            Assert.That(async () => await raw.Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, quiet.Token), Throws.InstanceOf<OperationCanceledException>(),
                "a handshake_first hub waits for the ClientHello before any INFO");
        }

        await using var leaf = await OurServer.StartAsync(Leaf(cert, port, handshakeFirst: true));
        await Links.Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the TLS-first leaf links");
        Assert.That(hub.Manager.Connections.Single().Tls, Is.Not.Null);
        Assert.That(leaf.Manager.Connections.Single().Tls, Is.Not.Null);
        await ExpectTrafficAsync(hub, leaf, "first.tls");
    }

    [Test]
    public async Task A_leaf_that_waits_for_the_info_in_the_clear_does_not_link_to_a_tls_first_hub()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(Hub(cert, port, "true"));
        await using var leaf = await OurServer.StartAsync(Leaf(cert, port, handshakeFirst: false));
        await Task.Delay(2500);   // an observation window: several attempts (1 s apart), none may link
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task With_a_fallback_delay_the_hub_takes_tls_first_leafs_and_classic_tls_leafs()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            accounts { A { users: [ {user: a, password: a} ] }, B { users: [ {user: b, password: b} ] } }
            leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}", handshake_first: "300ms" } }
            """);
        await using var first = await OurServer.StartAsync($$"""
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://a:a@localhost:{{port}}", tls { ca_file: "{{cert.CertPath}}", handshake_first: true } } ] }
            """);
        await using var classic = await OurServer.StartAsync($$"""
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://b:b@localhost:{{port}}", tls { ca_file: "{{cert.CertPath}}" } } ] }
            """);
        await Links.Leaf.UntilAsync(() => hub.LeafCount == 2 && first.LeafCount == 1 && classic.LeafCount == 1, "both leafs link");
        Assert.That(hub.Manager.Connections.Select(c => c.Account!.Name).Order(), Is.EqualTo(new[] { "A", "B" }));
        Assert.That(hub.Manager.Connections.All(c => c.Tls is not null), Is.True);
    }

    [Test]
    public async Task A_tls_first_remote_is_refused_by_a_hub_that_sends_info_first()
    {
        using var cert = new SelfSignedCertificate();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            """);
        await using var leaf = await OurServer.StartAsync(Leaf(cert, port, handshakeFirst: true));
        await Task.Delay(2500);
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)), "the hub's clear-text INFO is not a TLS ServerHello");
    }
}
