using System.Text;
using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// nats.ws in a real browser (Debian's chromium via Playwright). Until the kernel can serve a
/// client over a stream these run against nats-server 2.9.10's websocket listener: they prove
/// the harness and pin the behaviour ours must match once wired.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class BrowserTests
{
    [Test]
    public async Task Nats_ws_in_chromium_publishes_subscribes_requests_and_talks_to_a_TCP_client_on_nats_server()
    {
        var ports = FreePorts.Take(2);
        await using var reference = await ReferenceServer.StartAsync($$"""
            port: {{ports[0]}}
            websocket { port: {{ports[1]}}, no_tls: true, compression: true, allowed_origins: ["{{BrowserHarness.Origin}}"] }
            """, ports[1]);
        await using var browser = await BrowserHarness.StartAsync();
        await using var tcp = await RawClient.ConnectAndHandshakeAsync(ports[0]);
        await tcp.SendAsync("SUB from.browser 1\r\nSUB svc 2\r\nPING\r\n");
        await tcp.ExpectAsync("PONG\r\n");

        var result = await browser.Page.EvaluateAsync<string>($$"""
            async () => {
              const { connect, StringCodec } = window.nats;
              const sc = StringCodec();
              const nc = await connect({ servers: "ws://127.0.0.1:{{ports[1]}}" });
              const sub = nc.subscribe("echo");
              (async () => { for await (const m of sub) m.respond(m.data); })();
              const fromTcp = nc.subscribe("to.browser", { max: 1 });
              await nc.flush();
              const reply = await nc.request("echo", sc.encode("hi"), { timeout: 5000 });
              nc.publish("from.browser", sc.encode("hello tcp"));
              await nc.flush();
              window.fromTcp = (async () => { for await (const m of fromTcp) return sc.decode(m.data); })();
              return sc.decode(reply.data);
            }
            """);
        Assert.That(result, Is.EqualTo("hi"));
        await tcp.ExpectAsync("MSG from.browser 1 9\r\nhello tcp\r\n");
        await tcp.SendAsync("PUB to.browser 9\r\nhello ws!\r\n");
        Assert.That(await browser.Page.EvaluateAsync<string>("() => window.fromTcp"), Is.EqualTo("hello ws!"));
    }

    [Test]
    public async Task A_disallowed_origin_is_refused_in_chromium_by_nats_server()
    {
        var ports = FreePorts.Take(2);
        await using var reference = await ReferenceServer.StartAsync($$"""
            port: {{ports[0]}}
            websocket { port: {{ports[1]}}, no_tls: true, allowed_origins: ["http://elsewhere.example"] }
            """, ports[1]);
        await using var browser = await BrowserHarness.StartAsync();
        var error = await browser.Page.EvaluateAsync<string>($$"""
            async () => {
              try { await window.nats.connect({ servers: "ws://127.0.0.1:{{ports[1]}}", reconnect: false, timeout: 3000 }); return "connected"; }
              catch (e) { return String(e.code ?? e.message); }
            }
            """);
        Assert.That(error, Is.Not.EqualTo("connected"));
    }
}
