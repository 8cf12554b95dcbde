using Nats.Core;
using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// <c>ws_connect_urls</c>: each server's websocket URLs travel in route INFO, and a websocket
/// client's INFO lists the cluster's websocket ports as <c>connect_urls</c>, so nats.ws in a
/// browser that knew one server fails over to another.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class ClusterFailoverTests : ServersFixture
{
    private Task<(NatsServer Server, WebSocketPlugin Plugin)> StartMemberAsync(string name, NatsServer? seed)
    {
        var routes = seed is null ? "" : $"routes: [\"{TestCluster.RouteUrl(seed)}\"]";
        return StartWebSocketAsync(
            $"port: -1\nhost: 127.0.0.1\nno_tls: true\nallowed_origins: [\"{BrowserHarness.Origin}\"]",
            // Lame duck mode closes its clients after half a second rather than the default 10 s.
            $"server_name: {name}\nlame_duck_grace_period: \"500ms\"\ncluster {{ name: wsc, host: 127.0.0.1, port: -1, {routes} }}");
    }

    private async Task<(NatsServer Server, WebSocketPlugin Plugin)> StartWebSocketAsync(string websocketBlock, string rest)
    {
        var plugin = new WebSocketPlugin();
        return (await StartAsync(EndToEndTests.Options(websocketBlock, rest), beforeStart: server => server.AddPlugin(plugin)), plugin);
    }

    private static async Task<string> ReadTextAsync(RawWebSocket ws, TimeSpan? timeout = null)
    {
        ws.Timeout = timeout ?? TimeSpan.FromSeconds(15);
        return System.Text.Encoding.UTF8.GetString((await ws.ReadFrameAsync()).Payload);
    }

    [Test]
    public async Task Websocket_clients_get_the_clusters_websocket_urls_and_updates()
    {
        var (a, wsA) = await StartMemberAsync("a", null);
        var (b, wsB) = await StartMemberAsync("b", a);
        await Eventually.TrueAsync(() => a.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField).Count == 2, "a knows b's websocket URL", TimeSpan.FromSeconds(15));

        await using var ws = await RawWebSocket.ConnectAsync(wsA.Port);
        var info = await ReadTextAsync(ws);
        Assert.That(info, Does.Contain($"\"connect_urls\":[\"127.0.0.1:{wsA.Port}\",\"127.0.0.1:{wsB.Port}\"]"), "websocket ports, not client ports");
        Assert.That(info, Does.Not.Contain("ws_connect_urls"), "nats-server sends the field to routes only");
        await ws.SendBinaryAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        Assert.That(await ReadTextAsync(ws), Is.EqualTo("PONG\r\n"));

        var (_, wsC) = await StartMemberAsync("c", a);
        var update = await ReadTextAsync(ws, TimeSpan.FromSeconds(15));
        Assert.That(update, Does.StartWith("INFO ").And.Contain($"127.0.0.1:{wsC.Port}"), update);
        Assert.That(update, Does.Not.Contain($"127.0.0.1:{a.Port}"), "no client-port URLs for websocket clients");
        var varz = Nats.Core.Monitoring.MonitoringServer.Serialize(a.Monitoring.Invoke("/varz"));
        Assert.That(varz, Does.Contain("\"ws_connect_urls\"").And.Contain($"127.0.0.1:{wsC.Port}"));
    }

    [Test]
    public async Task A_stopping_server_does_not_tell_its_websocket_clients_that_the_cluster_shrank()
    {
        var (a, wsA) = await StartMemberAsync("a", null);
        var (_, wsB) = await StartMemberAsync("b", a);
        var (_, wsC) = await StartMemberAsync("c", a);
        await Eventually.TrueAsync(() => a.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField).Count == 3, "a knows every websocket URL", TimeSpan.FromSeconds(15));
        var clients = new List<RawWebSocket>();
        try
        {
            // Several clients, so the shutdown spends time closing them while its routes close.
            for (var i = 0; i < 4; i++)
            {
                var ws = await RawWebSocket.ConnectAsync(wsA.Port);
                clients.Add(ws);
                Assert.That(await ReadTextAsync(ws), Does.Contain($"127.0.0.1:{wsB.Port}").And.Contain($"127.0.0.1:{wsC.Port}"));
                await ws.SendBinaryAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
                Assert.That(await ReadTextAsync(ws), Is.EqualTo("PONG\r\n"));
            }

            // Shutdown closes a's routes before its clients. An INFO sent on a route's close
            // would list fewer servers, at last a alone, and nats.ws, told so, retried only the
            // stopped server (the chromium test below, before the fix).
            await a.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.That(a.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField), Has.Count.EqualTo(3),
                "a's websocket URLs as its clients last heard them: the routes' close did not withdraw b's and c's");
            foreach (var ws in clients)
            {
                var sent = new List<string>();
                try
                {
                    for (var frame = await ws.ReadFrameAsync(); frame.Opcode != 8; frame = await ws.ReadFrameAsync())
                    {
                        sent.Add(System.Text.Encoding.UTF8.GetString(frame.Payload));
                    }
                }
                catch (Exception e) when (e is EndOfStreamException or IOException)
                {
                    // Closed without a close frame: everything a sent was read.
                }
                Assert.That(sent, Has.None.StartsWith("INFO"), "what a sent after the PONG, until it closed");
            }
        }
        finally
        {
            foreach (var ws in clients)
            {
                await ws.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_server_in_lame_duck_mode_refuses_new_websocket_connections()
    {
        var (a, wsA) = await StartMemberAsync("a", null);
        await using (var ws = await RawWebSocket.ConnectAsync(wsA.Port))
        {
            Assert.That(await ReadTextAsync(ws), Does.StartWith("INFO "));
            // Lame duck mode lasts while a client is connected (the grace period, then its close).
            await ws.SendBinaryAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
            Assert.That(await ReadTextAsync(ws), Is.EqualTo("PONG\r\n"));
            _ = a.EnterLameDuckModeAsync();
            await Eventually.TrueAsync(() => a.IsLameDuck, "lame duck mode");
            var refused = Assert.CatchAsync<System.Net.Sockets.SocketException>(async () => await RawWebSocket.ConnectAsync(wsA.Port));
            Assert.That(refused!.SocketErrorCode, Is.EqualTo(System.Net.Sockets.SocketError.ConnectionRefused), "the websocket port closed with the client port");
            Assert.That(a.IsRunning, Is.True, "still in its grace period");
        }
    }

    [Test]
    public Task Nats_ws_in_chromium_fails_over_to_a_discovered_server() =>
        BrowserMovesOffAsync("a stopped", async (a, _) => await a.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15)));

    [Test]
    public Task Nats_ws_in_chromium_moves_off_a_server_in_lame_duck_mode() =>
        BrowserMovesOffAsync("a in lame duck mode, the page told", async (a, browser) =>
        {
            // Not awaited: lame duck mode ends in a's shutdown, after the page has moved.
            _ = a.EnterLameDuckModeAsync();
            await Eventually.TrueAsync(
                async () => await browser.EvaluateAsync<bool>("() => window.events.some(e => e.includes(' ldm '))", TimeSpan.FromSeconds(10)),
                "the page's ldm status event (INFO ldm: true)", TimeSpan.FromSeconds(15));
        });

    /// <summary>
    /// A cluster of three with nats.ws in chromium connected to a (given a only, it learns b
    /// and c from INFO); <paramref name="leave"/> makes a go; then a message published on b
    /// must reach the page, reconnected to b or c with its subscription.
    /// </summary>
    private async Task BrowserMovesOffAsync(string left, Func<NatsServer, BrowserHarness, Task> leave)
    {
        var Step = StepLog();
        var (a, wsA) = await StartMemberAsync("a", null);
        var (b, wsB) = await StartMemberAsync("b", a);
        var (c, wsC) = await StartMemberAsync("c", a);
        await Eventually.TrueAsync(() => a.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField).Count == 3, "a knows every websocket URL", TimeSpan.FromSeconds(15));
        // b and c must reach each other once a is gone.
        await Eventually.TrueAsync(() => b.Routes!.Routes.Count == 2 && c.Routes!.Routes.Count == 2, "a full mesh", TimeSpan.FromSeconds(15));
        Step("cluster of three up");
        await using var browser = await BrowserHarness.StartAsync();
        Step("chromium up with nats.ws loaded");

        var known = await ConnectPageAsync(browser, wsA.Port);
        Assert.That(known, Is.EquivalentTo(new[] { $"127.0.0.1:{wsA.Port}", $"127.0.0.1:{wsB.Port}", $"127.0.0.1:{wsC.Port}" }));
        Step("the page connected to a and knows b and c");

        await leave(a, browser);
        Step(left);

        // The page reconnects to b or c (in lame duck mode once a closes it, after the grace period).
        await PageMovesAndReceivesAsync(browser, wsA.Port, b.Port, Step,
            () => $"(a {wsA.Port}, b {wsB.Port}, c {wsC.Port}); interest in after.failover: " +
                $"b {!b.Accounts.Global.Sublist.Match("after.failover"u8).IsEmpty}, c {!c.Accounts.Global.Sublist.Match("after.failover"u8).IsEmpty}");
        await browser.EvaluateAsync("() => window.nc.close()", TimeSpan.FromSeconds(10));
    }

    /// <summary>Each step's time since the call, in the test's output: where a slow machine spent the bound.</summary>
    private static Action<string> StepLog()
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        return what => TestContext.Out.WriteLine($"{elapsed.Elapsed.TotalSeconds,7:0.0} s  {what}");
    }

    /// <summary>
    /// Connects nats.ws in the page to <paramref name="wsPort"/> only, subscribed to
    /// <c>after.failover</c>, recording its status events; returns the servers it knows (from INFO).
    /// </summary>
    private static Task<string[]> ConnectPageAsync(BrowserHarness browser, int wsPort) =>
        // Every wait in the page is bounded: connect gives up after 10 s, and pings every second
        // (two unanswered ones close the connection) notice a server that went away without a
        // close, where the default two minutes would outlast the test; the client retries
        // forever, 250 ms apart.
        browser.EvaluateAsync<string[]>($$"""
            async () => {
              const { connect, StringCodec } = window.nats;
              const sc = StringCodec();
              const nc = await connect({
                servers: "ws://127.0.0.1:{{wsPort}}", timeout: 10000,
                reconnectTimeWait: 250, maxReconnectAttempts: -1, pingInterval: 1000, maxPingOut: 2 });
              window.nc = nc;
              // What the client went through, for a failed run's message: each status event
              // (ldm, disconnect, reconnecting, reconnect, update…) with its time since connect.
              const t0 = Date.now();
              window.events = [];
              (async () => { for await (const s of nc.status()) window.events.push(`${Date.now() - t0} ms ${s.type} ${JSON.stringify(s.data)}`); })();
              const sub = nc.subscribe("after.failover", { max: 1 });
              window.got = null;
              (async () => { for await (const m of sub) window.got = sc.decode(m.data); })();
              await nc.flush();
              return [...new Set(nc.protocol.servers.getServers().map(s => s.hostname + ":" + s.port))].sort();
            }
            """);

    /// <summary>
    /// Waits until the page has left the server on <paramref name="leftWsPort"/>, then publishes
    /// on the client port <paramref name="publishPort"/> until the page, with its subscription
    /// moved along, gets the message. <paramref name="servers"/> names the servers for a failure.
    /// </summary>
    private static async Task PageMovesAndReceivesAsync(BrowserHarness browser, int leftWsPort, int publishPort, Action<string> step, Func<string> servers)
    {
        var seen = new[] { "", "", "" };
        async Task<string[]> PageStateAsync() => seen = await browser.EvaluateAsync<string[]>(
            "() => [window.got ?? '', window.nc.getServer(), window.events.join(' | ')]", TimeSpan.FromSeconds(10));
        string Describe(string what) => $"{what}; the page is on {seen[1]} {servers()}, its events: {seen[2]}";
        await Eventually.TrueAsync(async () => (await PageStateAsync())[1] is var on && on != "" && on != $"127.0.0.1:{leftWsPort}",
            () => Describe("the browser reconnected elsewhere"), TimeSpan.FromSeconds(30));
        step($"the page moved to {seen[1]}");

        await using var publisher = await RawClient.ConnectAndHandshakeAsync(publishPort);
        await Eventually.TrueAsync(async () =>
        {
            await publisher.SendAsync("PUB after.failover 5\r\nmoved\r\n");
            return (await PageStateAsync())[0] == "moved";
        }, () => Describe("a message published on another server"), TimeSpan.FromSeconds(30));
        step($"the page got the message; its events: {seen[2]}");
        Assert.That(seen[1], Is.Not.EqualTo($"127.0.0.1:{leftWsPort}"), "still off the server it left");
    }

    private static async Task<string> FirstInfoAsync(int port)
    {
        await using var ws = await RawWebSocket.ConnectAsync(port);
        return await ReadTextAsync(ws);
    }

    /// <summary>
    /// The drop-in case: nats.ws in chromium, given only our server of a mixed cluster, learns
    /// nats-server 2.9.10's websocket port from our INFO and moves there when ours stops.
    /// </summary>
    [Test]
    public async Task Nats_ws_in_chromium_fails_over_from_ours_to_a_nats_server_peer()
    {
        var Step = StepLog();
        var ports = FreePorts.Take(3);   // theirs: client, cluster, websocket
        await using var reference = await ReferenceServer.StartAsync(
            $"port: {ports[0]}\nserver_name: go\ncluster {{ name: mixed, host: 127.0.0.1, port: {ports[1]} }}\n" +
            $"websocket {{ host: 127.0.0.1, port: {ports[2]}, no_tls: true, allowed_origins: [\"{BrowserHarness.Origin}\"] }}\n", ports[2]);
        var (ours, wsOurs) = await StartWebSocketAsync(
            $"port: -1\nhost: 127.0.0.1\nno_tls: true\nallowed_origins: [\"{BrowserHarness.Origin}\"]",
            $"server_name: dotnet\ncluster {{ name: mixed, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{ports[1]}\"] }}");
        await Eventually.TrueAsync(() => ours.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField).Count == 2, "ours learned nats-server's websocket URL", TimeSpan.FromSeconds(15));
        Step("ours and nats-server routed");
        await using var browser = await BrowserHarness.StartAsync();
        var known = await ConnectPageAsync(browser, wsOurs.Port);
        Assert.That(known, Is.EquivalentTo(new[] { $"127.0.0.1:{wsOurs.Port}", $"127.0.0.1:{ports[2]}" }));
        Step("the page connected to ours and knows nats-server's websocket port");

        await ours.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Step("ours stopped");
        await PageMovesAndReceivesAsync(browser, wsOurs.Port, ports[0], Step, () => $"(ours {wsOurs.Port}, nats-server {ports[2]})");
        await browser.EvaluateAsync("() => window.nc.close()", TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A mixed cluster: nats-server 2.9.10 and ours, each with a websocket port. Each side's
    /// websocket clients are told the other's websocket URL (ours carried in our first route INFO).
    /// </summary>
    [Test]
    public async Task A_nats_server_peer_and_ours_exchange_websocket_urls()
    {
        var ports = FreePorts.Take(4);   // theirs: client, cluster, websocket; ours: websocket
        await using var reference = await ReferenceServer.StartAsync(
            $"port: {ports[0]}\nserver_name: go\ncluster {{ name: mixed, host: 127.0.0.1, port: {ports[1]} }}\nwebsocket {{ host: 127.0.0.1, port: {ports[2]}, no_tls: true }}\n", ports[2]);
        var (ours, _) = await StartWebSocketAsync(
            $"port: {ports[3]}\nhost: 127.0.0.1\nno_tls: true",
            $"server_name: dotnet\ncluster {{ name: mixed, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{ports[1]}\"] }}");

        await Eventually.TrueAsync(() => ours.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField).Count == 2, "ours learned nats-server's websocket URL", TimeSpan.FromSeconds(15));
        Assert.That(ours.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField), Is.EqualTo(new[] { $"127.0.0.1:{ports[3]}", $"127.0.0.1:{ports[2]}" }));
        Assert.That(await FirstInfoAsync(ports[3]), Does.Contain($"\"connect_urls\":[\"127.0.0.1:{ports[3]}\",\"127.0.0.1:{ports[2]}\"]"));
        await Eventually.TrueAsync(async () => (await FirstInfoAsync(ports[2])).Contains($"127.0.0.1:{ports[3]}"), "nats-server's websocket clients are told our websocket URL", TimeSpan.FromSeconds(15));
    }
}
