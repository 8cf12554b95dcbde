using System.Text;
using Nats.Core;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>The plugin's listener in a real server: the client protocol over WebSocket.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class EndToEndTests
{
    /// <summary>A server's options from a <c>websocket {}</c> block body and the rest of a config, on 127.0.0.1 and a random client port.</summary>
    internal static ServerOptions Options(string websocketBlock, string rest = "") =>
        TestConfig.Options($"{rest}\nwebsocket {{\n{websocketBlock}\n}}\n", "ws.conf");

    internal static async Task<(NatsServer Server, WebSocketPlugin Plugin)> StartAsync(string websocketBlock, string rest = "")
    {
        var server = new NatsServer(Options(websocketBlock, rest));
        var plugin = new WebSocketPlugin();
        server.AddPlugin(plugin);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return (server, plugin);
    }

    [Test]
    public async Task A_raw_websocket_client_speaks_the_client_protocol()
    {
        var (server, plugin) = await StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true");
        await using var _ = server;
        await using var ws = await RawWebSocket.ConnectAsync(plugin.Port);
        var info = Encoding.ASCII.GetString((await ws.ReadFrameAsync()).Payload);
        Assert.That(info, Does.StartWith("INFO {"));
        await ws.SendBinaryAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n");
        var received = new StringBuilder();
        while (!received.ToString().Contains("PONG\r\n"))
        {
            received.Append(Encoding.ASCII.GetString((await ws.ReadFrameAsync()).Payload));
        }
        Assert.That(received.ToString(), Is.EqualTo("MSG a 1 2\r\nhi\r\nPONG\r\n"));
    }

    internal static async Task<string> ReadUntilAsync(RawWebSocket ws, string needle)
    {
        var received = new StringBuilder();
        for (var i = 0; i < 1000 && !received.ToString().Contains(needle); i++)
        {
            var frame = await ws.ReadFrameAsync();
            if (frame.Opcode == 8)
            {
                received.Append($"<close {frame.CloseStatus} {frame.CloseReason}>");
                break;
            }
            received.Append(Encoding.ASCII.GetString(frame.Payload));
        }
        return received.ToString();
    }

    [Test]
    public async Task Websocket_clients_show_in_connz_as_websocket()
    {
        var (server, plugin) = await StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true");
        await using var _ = server;
        await using var ws = await RawWebSocket.ConnectAsync(plugin.Port);
        await ws.SendBinaryAsync("CONNECT {\"verbose\":false,\"name\":\"browser\"}\r\nPING\r\n");
        await ReadUntilAsync(ws, "PONG\r\n");
        var connz = Nats.Core.Monitoring.MonitoringServer.Serialize(server.Monitoring.Invoke("/connz"));
        Assert.That(connz, Does.Contain("\"type\": \"websocket\""));
        Assert.That(connz, Does.Contain("\"name\": \"browser\""));
    }

    [Test]
    public async Task The_websocket_authorization_applies_to_websocket_clients_only()
    {
        var (server, plugin) = await StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true\nauthorization { user: wsuser, password: wspass }");
        await using var _ = server;
        await using (var good = await RawWebSocket.ConnectAsync(plugin.Port))
        {
            var info = Encoding.ASCII.GetString((await good.ReadFrameAsync()).Payload);
            Assert.That(info, Does.Contain("\"auth_required\":true"));
            await good.SendBinaryAsync("CONNECT {\"verbose\":false,\"user\":\"wsuser\",\"pass\":\"wspass\"}\r\nPING\r\n");
            Assert.That(await ReadUntilAsync(good, "PONG\r\n"), Does.EndWith("PONG\r\n"));
        }
        await using (var bad = await RawWebSocket.ConnectAsync(plugin.Port))
        {
            await bad.ReadFrameAsync();
            await bad.SendBinaryAsync("CONNECT {\"verbose\":false,\"user\":\"wsuser\",\"pass\":\"nope\"}\r\nPING\r\n");
            Assert.That(await ReadUntilAsync(bad, "<close"), Does.StartWith("-ERR 'Authorization Violation'\r\n"));
        }
        // The TCP port keeps the server's (absent) authorization.
        await using var tcp = await RawClient.ConnectAndHandshakeAsync(server.Port);
    }

    [Test]
    public async Task Max_payload_is_enforced_over_websocket_as_over_TCP()
    {
        var (server, plugin) = await StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true", "max_payload: 100");
        await using var _ = server;
        await using var ws = await RawWebSocket.ConnectAsync(plugin.Port);
        await ws.ReadFrameAsync();
        await ws.SendBinaryAsync("CONNECT {\"verbose\":false}\r\nPUB a 200\r\n" + new string('x', 200) + "\r\n");
        Assert.That(await ReadUntilAsync(ws, "<close"), Does.StartWith("-ERR 'Maximum Payload Violation'\r\n"));
    }
}
