using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// nats.ws in a real browser (Debian's chromium via Playwright), against our server and, side
/// by side, nats-server 2.9.10's websocket listener with the same block.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class BrowserTests
{
    /// <summary>A server under test: its websocket and TCP client ports.</summary>
    private sealed record Target(int WebSocketPort, int ClientPort, IAsyncDisposable Server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<Target> StartAsync(string server, string block)
    {
        if (server == "ours")
        {
            var (natsServer, plugin) = await EndToEndTests.StartAsync($"port: -1\nhost: 127.0.0.1\n{block}");
            return new Target(plugin.Port, natsServer.Port, natsServer);
        }
        var ports = FreePorts.Take(2);
        var reference = await ReferenceServer.StartAsync($"port: {ports[0]}\nwebsocket {{\n port: {ports[1]}\n{block}\n}}\n", ports[1]);
        return new Target(ports[1], ports[0], reference);
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task Nats_ws_in_chromium_publishes_subscribes_requests_and_talks_to_a_TCP_client(string server)
    {
        await using var target = await StartAsync(server, $"no_tls: true\ncompression: true\nallowed_origins: [\"{BrowserHarness.Origin}\"]");
        await using var browser = await BrowserHarness.StartAsync();
        await using var tcp = await RawClient.ConnectAndHandshakeAsync(target.ClientPort);
        await tcp.SendAsync("SUB from.browser 1\r\nPING\r\n");
        await tcp.ExpectAsync("PONG\r\n");

        var result = await browser.EvaluateAsync<string>($$"""
            async () => {
              const { connect, StringCodec } = window.nats;
              const sc = StringCodec();
              const nc = await connect({ servers: "ws://127.0.0.1:{{target.WebSocketPort}}" });
              window.nc = nc;
              const sub = nc.subscribe("echo");
              (async () => { for await (const m of sub) m.respond(m.data); })();
              const fromTcp = nc.subscribe("to.browser", { max: 1 });
              await nc.flush();
              const reply = await nc.request("echo", sc.encode("hi"), { timeout: 5000 });
              // Big enough to be compressed (and fragmented for the browser) both ways.
              const big = "x".repeat(100000);
              const bigReply = await nc.request("echo", sc.encode(big), { timeout: 5000 });
              nc.publish("from.browser", sc.encode("hello tcp"));
              await nc.flush();
              window.fromTcp = (async () => { for await (const m of fromTcp) return sc.decode(m.data); })();
              return sc.decode(reply.data) + ":" + (sc.decode(bigReply.data) === big);
            }
            """);
        Assert.That(result, Is.EqualTo("hi:true"));
        await tcp.ExpectAsync("MSG from.browser 1 9\r\nhello tcp\r\n");
        await tcp.SendAsync("PUB to.browser 9\r\nhello ws!\r\n");
        Assert.That(await browser.EvaluateAsync<string>("() => window.fromTcp"), Is.EqualTo("hello ws!"));
        await browser.EvaluateAsync("() => window.nc.close()");
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task Nats_ws_in_chromium_connects_over_wss_with_a_certificate_it_trusts(string server)
    {
        using var cert = new SelfSignedCertificate();
        await using var target = await StartAsync(server, $"tls {{ cert_file: \"{cert.CertPath}\", key_file: \"{cert.KeyPath}\" }}");
        await using var browser = await BrowserHarness.StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(cert.CertPath)));
        var result = await browser.EvaluateAsync<string>($$"""
            async () => {
              const { connect, StringCodec } = window.nats;
              const sc = StringCodec();
              const nc = await connect({ servers: "wss://localhost:{{target.WebSocketPort}}" });
              const sub = nc.subscribe("q", { max: 1 });
              nc.publish("q", sc.encode("over tls"));
              let got = "";
              for await (const m of sub) got = sc.decode(m.data);
              await nc.close();
              return got;
            }
            """);
        Assert.That(result, Is.EqualTo("over tls"));
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task A_disallowed_origin_is_refused_in_chromium(string server)
    {
        await using var target = await StartAsync(server, "no_tls: true\nallowed_origins: [\"http://elsewhere.example\"]");
        await using var browser = await BrowserHarness.StartAsync();
        var error = await browser.EvaluateAsync<string>($$"""
            async () => {
              try { await window.nats.connect({ servers: "ws://127.0.0.1:{{target.WebSocketPort}}", reconnect: false, timeout: 3000 }); return "connected"; }
              catch (e) { return String(e.code ?? e.message); }
            }
            """);
        Assert.That(error, Is.Not.EqualTo("connected"));
    }
}
