using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// Leaf links over WebSocket between our servers: the hub's websocket port (the WebSocket
/// plugin) hands /leafnode upgrades to the Leafnode plugin through the kernel's stream
/// acceptors; the leaf dials ws:// or wss:// remotes.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class WebSocketLeafTests
{
    private const string HubAuth = "authorization { user: leaf, password: pw }";

    internal static Task<OurServer> StartHubAsync(string webSocket = "no_tls: true", string leafnodes = HubAuth, ListLoggerProvider? logs = null) =>
        OurServer.StartAsync($$"""
            websocket { host: 127.0.0.1, port: -1, {{webSocket}} }
            leafnodes { host: 127.0.0.1, port: -1 {{(leafnodes.Length > 0 ? ", " + leafnodes : "")}} }
            """, logs, webSocket: true);

    internal static Task<OurServer> StartLeafAsync(string url, string remoteExtra = "", ListLoggerProvider? logs = null) =>
        OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "{{url}}" {{remoteExtra}} } ] }""", logs);

    /// <summary>Both links registered, both over a WebSocket.</summary>
    private static async Task LinkUpAsync(OurServer hub, OurServer leaf)
    {
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the websocket leaf link comes up");
        Assert.That(hub.Manager.Connections.Single().IsWebSocket, Is.True, "the hub's side runs over the websocket");
        Assert.That(leaf.Manager.Connections.Single().IsWebSocket, Is.True, "the leaf's side runs over the websocket");
    }

    [Test]
    public async Task Our_leaf_and_our_hub_carry_pub_sub_and_request_reply_over_ws_with_user_and_password()
    {
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await StartHubAsync(logs: hubLogs);
        var leaf = await StartLeafAsync($"ws://leaf:pw@127.0.0.1:{hub.WebSocketPort}");
        await LinkUpAsync(hub, leaf);
        Assert.That(hub.Manager.Connections.Single().RemoteAccountOrUser, Is.EqualTo("leaf"), "authenticated as the leaf user through the websocket");
        await WebSocketTraffic.ExchangeAsync(
            leafClient: () => leaf.ClientAsync(),
            hubClient: () => hub.ClientAsync(),
            hubHasLeafInterest: s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), $"hub learns {s}"),
            leafHasHubInterest: s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), $"leaf learns {s}"));

        await leaf.DisposeAsync();
        await Leaf.UntilAsync(() => hub.LeafCount == 0, "the hub drops the link when the leaf shuts down");
        Assert.That(hubLogs.Texts.Where(l => l.Contains("unexpected", StringComparison.Ordinal)), Is.Empty, "the websocket link ends cleanly");
    }

    [Test]
    public async Task Compression_agreed_on_both_ends_carries_large_messages()
    {
        await using var hub = await StartHubAsync("no_tls: true, compression: true");
        await using var leaf = await StartLeafAsync($"ws://leaf:pw@127.0.0.1:{hub.WebSocketPort}", ", ws_compression: true");
        await LinkUpAsync(hub, leaf);
        await WebSocketTraffic.ExchangeAsync(
            () => leaf.ClientAsync(), () => hub.ClientAsync(),
            s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), $"hub learns {s}"),
            s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), $"leaf learns {s}"));
    }

    [Test]
    public async Task Our_leaf_reaches_our_hub_over_wss_with_a_test_ca()
    {
        using var cert = new SelfSignedCertificate();
        await using var hub = await StartHubAsync($$"""tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" }""");
        await using var leaf = await StartLeafAsync($"wss://leaf:pw@localhost:{hub.WebSocketPort}", $$""", tls { ca_file: "{{cert.CertPath}}" }""");
        await LinkUpAsync(hub, leaf);
        Assert.That(hub.Manager.Connections.Single().Tls, Is.Not.Null, "the hub's link shows the TLS under the websocket");
        await WebSocketTraffic.ExchangeAsync(
            () => leaf.ClientAsync(), () => hub.ClientAsync(),
            s => Leaf.UntilAsync(() => hub.HasLeafInterest(s), $"hub learns {s}"),
            s => Leaf.UntilAsync(() => leaf.HasLeafInterest(s), $"leaf learns {s}"));
    }

    [Test]
    public async Task A_wss_remote_without_the_ca_does_not_link()
    {
        using var cert = new SelfSignedCertificate();
        var leafLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await StartHubAsync($$"""tls { cert_file: "{{cert.CertPath}}", key_file: "{{cert.KeyPath}}" }""");
        await using var leaf = await StartLeafAsync($"wss://leaf:pw@localhost:{hub.WebSocketPort}", logs: leafLogs);
        await Leaf.UntilAsync(() => leafLogs.Contains("Error trying to connect as leafnode to remote server"), "the untrusted certificate is reported");
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task A_wrong_password_over_ws_is_refused_and_logged_on_both_sides()
    {
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        var leafLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await StartHubAsync(logs: hubLogs);
        await using var leaf = await StartLeafAsync($"ws://leaf:wrong@127.0.0.1:{hub.WebSocketPort}", logs: leafLogs);
        await Leaf.UntilAsync(() => hubLogs.Contains("authentication error") && leafLogs.Contains("Authorization Violation"), "both ends log the refusal");
        Assert.That((hub.LeafCount, leaf.LeafCount), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task A_hub_without_a_leafnode_port_closes_leaf_upgrades_as_nats_server_does()
    {
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        // Leafnodes configured only as a leaf itself: no port, so no leaf acceptor.
        await using var hub = await OurServer.StartAsync($$"""
            websocket { host: 127.0.0.1, port: -1, no_tls: true }
            leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:1", disabled: true } ] }
            """, hubLogs, webSocket: true);
        await using var leaf = await StartLeafAsync($"ws://127.0.0.1:{hub.WebSocketPort}");
        await Leaf.UntilAsync(() => hubLogs.Contains("Not configured to accept leaf node connections"), "the hub refuses the leaf upgrade");
        Assert.That(leaf.LeafCount, Is.EqualTo(0));
    }

    [Test]
    public async Task A_ws_leaf_fails_over_to_the_websocket_port_of_another_hub_of_the_cluster()
    {
        var ports = FreePorts.Take(2);
        async Task<OurServer> StartClusterMemberAsync(int own, int other) => await OurServer.StartAsync($$"""
            cluster { name: C, listen: "127.0.0.1:{{own}}", routes: ["nats-route://127.0.0.1:{{other}}"] }
            websocket { host: 127.0.0.1, port: -1, no_tls: true }
            leafnodes { host: 127.0.0.1, port: -1 }
            """, webSocket: true);
        var first = await StartClusterMemberAsync(ports[0], ports[1]);
        var firstStopped = false;
        await using var second = await StartClusterMemberAsync(ports[1], ports[0]);
        try
        {
            await Leaf.UntilAsync(() => first.Server.GetAllAdvertisedUrls("ws_connect_urls").Count == 2, "the first hub knows both websocket URLs");
            var leafLogs = new ListLoggerProvider(LogLevel.Information);
            await using var leaf = await StartLeafAsync($"ws://127.0.0.1:{first.WebSocketPort}", logs: leafLogs);
            await Leaf.UntilAsync(() => first.LeafCount == 1, "the leaf links to the first hub");
            firstStopped = true;
            await first.DisposeAsync();
            await Leaf.UntilAsync(() => second.LeafCount == 1 && leaf.LeafCount == 1, "the leaf moves to the second hub's websocket port, learned from ws_connect_urls");
            Assert.That(second.Manager.Connections.Single().IsWebSocket, Is.True);
            Assert.That(leafLogs.Texts.Where(l => l.Contains("[Error]", StringComparison.Ordinal) && !l.Contains("Error trying to connect", StringComparison.Ordinal)), Is.Empty,
                "a hub going away ends the websocket link as a plain read error, nothing unexpected");
        }
        finally
        {
            if (!firstStopped)
            {
                await first.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_ws_remote_is_added_and_removed_by_a_reload()
    {
        await using var hub = await StartHubAsync();
        // A disabled remote keeps leafnodes on (adding the whole block needs a restart).
        const string parked = """{ url: "nats-leaf://127.0.0.1:1", disabled: true }""";
        await using var leaf = await OurServer.StartAsync($"leafnodes {{ reconnect: 1, remotes: [ {parked} ] }}");
        Nats.Core.Config.ServerOptions Options(string remotes)
        {
            var options = Nats.Core.Config.Binding.ServerOptionsBinder.Bind(Nats.Core.Config.ConfParser.ParseString($"leafnodes {{ reconnect: 1, remotes: [ {remotes} ] }}", "leaf.conf")).Options;
            options.Host = "127.0.0.1";
            options.Port = -1;
            return options;
        }
        var added = leaf.Server.Reload(Options($$"""{{parked}}, { url: "ws://leaf:pw@127.0.0.1:{{hub.WebSocketPort}}" }"""));
        Assert.That(added.Success, Is.True, string.Join("; ", added.Errors));
        await LinkUpAsync(hub, leaf);
        Assert.That(leaf.Server.Reload(Options(parked)).Success, Is.True);
        await Leaf.UntilAsync(() => hub.LeafCount == 0 && leaf.LeafCount == 0, "the removed ws remote disconnects");
    }

    [Test]
    public async Task Our_leaf_sends_nats_servers_upgrade_request_and_refuses_a_bad_answer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var leafLogs = new ListLoggerProvider(LogLevel.Information);
            await using var leaf = await StartLeafAsync($"ws://127.0.0.1:{port}/base", ", ws_compression: true", leafLogs);
            using var socket = await listener.AcceptSocketAsync();
            var head = await ReadHeadAsync(socket);
            var lines = head.Split("\r\n");
            Assert.That(lines[0], Is.EqualTo("GET /base/leafnode HTTP/1.1"), "the URL's path, then /leafnode");
            Assert.That(lines, Does.Contain($"Host: 127.0.0.1:{port}"));
            Assert.That(lines, Does.Contain("Upgrade: websocket"));
            Assert.That(lines, Does.Contain("Connection: Upgrade"));
            Assert.That(lines, Does.Contain("Sec-WebSocket-Version: 13"));
            Assert.That(lines, Does.Contain("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover"));
            Assert.That(lines.Count(l => l.StartsWith("Sec-WebSocket-Key: ", StringComparison.Ordinal)), Is.EqualTo(1));
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n"));
            await Leaf.UntilAsync(() => leafLogs.Contains("invalid websocket connection"), "a wrong accept key is refused with nats-server's reason");
            Assert.That(leaf.LeafCount, Is.EqualTo(0));
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        var text = received.ToString();
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
    }
}

/// <summary>The traffic every websocket leaf test checks: both ways, request/reply both ways, a message many frames long.</summary>
internal static class WebSocketTraffic
{
    /// <summary>
    /// A client of the exchange answers the server's PINGs: the first goes out about 2 s after
    /// CONNECT (nats-server's and ours), which a loaded machine reaches over the 1 MB messages, and
    /// read as traffic it failed the next expectation ("expected MSG/HMSG, got 'PING'").
    /// </summary>
    private static async Task<RawClient> AnsweringPingsAsync(Func<Task<RawClient>> connect)
    {
        var client = await connect();
        client.AnswerPings = true;
        return client;
    }

    public static async Task ExchangeAsync(Func<Task<RawClient>> leafClient, Func<Task<RawClient>> hubClient,
        Func<string, Task> hubHasLeafInterest, Func<string, Task> leafHasHubInterest)
    {
        await using var hubSub = await AnsweringPingsAsync(hubClient);
        await using var leafSub = await AnsweringPingsAsync(leafClient);
        await Leaf.SubAsync(hubSub, "ws.to.hub", "1");
        await Leaf.SubAsync(leafSub, "ws.to.leaf", "2");
        await leafHasHubInterest("ws.to.hub");
        await hubHasLeafInterest("ws.to.leaf");

        await using var leafPub = await AnsweringPingsAsync(leafClient);
        await Leaf.PubAsync(leafPub, "ws.to.hub", "up");
        await hubSub.ExpectMsgAsync("ws.to.hub", "1", "up");
        await using var hubPub = await AnsweringPingsAsync(hubClient);
        await Leaf.PubAsync(hubPub, "ws.to.leaf", "down");
        await leafSub.ExpectMsgAsync("ws.to.leaf", "2", "down");

        // A request from the leaf served on the hub…
        await Leaf.SubAsync(hubSub, "ws.svc", "3");
        await Leaf.SubAsync(leafPub, "_INBOX.ws1", "9");
        await leafHasHubInterest("ws.svc");
        await hubHasLeafInterest("_INBOX.ws1");
        await leafPub.SendAsync("PUB ws.svc _INBOX.ws1 3\r\nreq\r\n");
        await hubSub.ExpectMsgAsync("ws.svc", "3", "req", "_INBOX.ws1");
        await hubSub.SendAsync("PUB _INBOX.ws1 3\r\nrep\r\n");
        await leafPub.ExpectMsgAsync("_INBOX.ws1", "9", "rep");

        // …and one from the hub served on the leaf.
        await Leaf.SubAsync(leafSub, "ws.leafsvc", "4");
        await Leaf.SubAsync(hubPub, "_INBOX.ws2", "8");
        await hubHasLeafInterest("ws.leafsvc");
        await leafHasHubInterest("_INBOX.ws2");
        await hubPub.SendAsync("PUB ws.leafsvc _INBOX.ws2 3\r\nreq\r\n");
        await leafSub.ExpectMsgAsync("ws.leafsvc", "4", "req", "_INBOX.ws2");
        await leafSub.SendAsync("PUB _INBOX.ws2 3\r\nrep\r\n");
        await hubPub.ExpectMsgAsync("_INBOX.ws2", "8", "rep");

        // Nearly max_payload (1 MB) each way: many websocket messages (and, compressed, each inflated within the limit).
        var big = string.Concat(Enumerable.Range(0, 100_000).Select(i => (i % 9973).ToString("D10")));
        await Leaf.PubAsync(leafPub, "ws.to.hub", big);
        await hubSub.ExpectMsgAsync("ws.to.hub", "1", big);
        await Leaf.PubAsync(hubPub, "ws.to.leaf", big);
        await leafSub.ExpectMsgAsync("ws.to.leaf", "2", big);
    }
}
