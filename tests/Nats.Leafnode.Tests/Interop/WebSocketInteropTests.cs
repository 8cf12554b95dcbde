using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// Leaf links over WebSocket with nats-server 2.9.10 at the other end: our leaf to its
/// websocket port (<c>websocket {}</c> next to <c>leafnodes {}</c>), and its ws:// remote to
/// our hub's websocket port.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class WebSocketInteropTests
{
    private static Task<ReferenceServer> StartGoHubAsync(string webSocketExtra = "") => ReferenceServer.StartWithPortsAsync($$"""
        websocket { listen: "127.0.0.1:{WS_PORT}", no_tls: true {{webSocketExtra}} }
        leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { user: leaf, password: pw } }
        """);

    [TestCase("", "", TestName = "Our leaf over ws to a nats-server hub")]
    [TestCase(", compression: true", ", ws_compression: true", TestName = "Our leaf over ws to a nats-server hub, compressed")]
    public async Task Our_leaf_over_ws_to_a_nats_server_hub(string hubExtra, string remoteExtra)
    {
        await using var hub = await StartGoHubAsync(hubExtra);
        await using var leaf = await WebSocketLeafTests.StartLeafAsync($"ws://leaf:pw@127.0.0.1:{hub.WebSocketPort}", remoteExtra);
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our leaf links to nats-server over ws");
        await Leaf.UntilAsync(async () => await hub.LeafCountAsync() == 1, "nats-server lists the leaf");
        Assert.That(leaf.Manager.Connections.Single().IsWebSocket, Is.True);
        await WebSocketTraffic.ExchangeAsync(
            leafClient: () => leaf.ClientAsync(),
            hubClient: () => hub.ClientAsync(),
            hubHasLeafInterest: s => Leaf.UntilAsync(() => hub.LeafHasSubAsync(s), $"nats-server learns {s}"),
            leafHasHubInterest: s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), $"our leaf learns {s}"));
    }

    [TestCase("no_tls: true", "", TestName = "A nats-server leaf over ws to our hub")]
    [TestCase("no_tls: true, compression: true", ", ws_compression: true, ws_no_masking: true", TestName = "A nats-server leaf over ws to our hub, compressed and unmasked")]
    public async Task A_nats_server_leaf_over_ws_to_our_hub(string hubWebSocket, string remoteExtra)
    {
        await using var hub = await WebSocketLeafTests.StartHubAsync(hubWebSocket);
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""
            leafnodes { reconnect: 1, remotes: [ { url: "ws://leaf:pw@127.0.0.1:{{hub.WebSocketPort}}" {{remoteExtra}} } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's leaf links to our hub over ws");
        Assert.That(hub.Manager.Connections.Single().IsWebSocket, Is.True);
        Assert.That(hub.Manager.Connections.Single().RemoteAccountOrUser, Is.EqualTo("leaf"));
        await WebSocketTraffic.ExchangeAsync(
            leafClient: () => leaf.ClientAsync(),
            hubClient: () => hub.ClientAsync(),
            hubHasLeafInterest: s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), $"our hub learns {s}"),
            leafHasHubInterest: s => Leaf.UntilAsync(() => leaf.LeafHasSubAsync(s), $"nats-server learns {s}"));
    }

    [Test]
    public async Task Our_leaf_over_wss_to_a_nats_server_hub_with_a_test_ca()
    {
        using var cert = new SelfSignedCertificate();
        await using var hub = await ReferenceServer.StartWithPortsAsync($$"""
            websocket { listen: "127.0.0.1:{WS_PORT}", tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" } }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}", authorization { user: leaf, password: pw } }
            """);
        await using var leaf = await WebSocketLeafTests.StartLeafAsync($"wss://leaf:pw@localhost:{hub.WebSocketPort}", $$""", tls { ca_file: "{{cert.CertPath}}" }""");
        await Leaf.UntilAsync(() => leaf.LeafCount == 1, "our leaf links to nats-server over wss");
        await WebSocketTraffic.ExchangeAsync(
            () => leaf.ClientAsync(), () => hub.ClientAsync(),
            s => Leaf.UntilAsync(() => hub.LeafHasSubAsync(s), $"nats-server learns {s}"),
            s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), $"our leaf learns {s}"));
    }

    [Test]
    public async Task A_nats_server_leaf_over_wss_to_our_hub_with_a_test_ca()
    {
        using var cert = new SelfSignedCertificate();
        await using var hub = await WebSocketLeafTests.StartHubAsync($$"""tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" }""");
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""
            leafnodes { reconnect: 1, remotes: [ { url: "wss://leaf:pw@localhost:{{hub.WebSocketPort}}", tls { ca_file: "{{cert.CertPath}}" } } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "nats-server's leaf links to our hub over wss");
        Assert.That(hub.Manager.Connections.Single().Tls, Is.Not.Null);
        await WebSocketTraffic.ExchangeAsync(
            () => leaf.ClientAsync(), () => hub.ClientAsync(),
            s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), $"our hub learns {s}"),
            s => Leaf.UntilAsync(() => leaf.LeafHasSubAsync(s), $"nats-server learns {s}"));
    }
}
