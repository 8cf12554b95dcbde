using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// Websocket clients in <c>/connz</c>: kind and type as nats-server 2.9.10 shows them; the TLS of
/// wss:// too (ours: nats-server never marks a websocket's TLS handshake complete, so it omits
/// tls_version and tls_cipher_suite for wss clients).
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class ConnzTests
{
    private static async Task<ClientWebSocket> ConnectWssAsync(int port)
    {
        var ws = new ClientWebSocket();
        ws.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(new Uri($"wss://127.0.0.1:{port}"), cts.Token);
        var buffer = new byte[8192];
        await ws.ReceiveAsync(buffer, cts.Token);   // INFO
        await ws.SendAsync(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"name\":\"wss-client\"}\r\nPING\r\n"), WebSocketMessageType.Binary, true, cts.Token);
        var pong = await ws.ReceiveAsync(buffer, cts.Token);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, pong.Count), Is.EqualTo("PONG\r\n"));
        return ws;
    }

    private static string Describe(JsonElement connz)
    {
        var c = connz.GetProperty("connections").EnumerateArray().Single(e => e.TryGetProperty("name", out var n) && n.GetString() == "wss-client");
        string Text(string name) => c.TryGetProperty(name, out var v) ? v.ToString() : "<none>";
        return $"kind={Text("kind")} type={Text("type")} tls_version={Text("tls_version")} cipher_set={c.TryGetProperty("tls_cipher_suite", out _)}";
    }

    [Test]
    public async Task A_wss_client_shows_its_kind_and_type_as_in_nats_server_and_its_tls()
    {
        using var cert = new SelfSignedCertificate();
        var block = $"tls {{ cert_file: \"{cert.CertPath}\", key_file: \"{cert.KeyPath}\" }}";

        var (server, plugin) = await EndToEndTests.StartAsync($"port: -1\nhost: 127.0.0.1\n{block}");
        await using var _ = server;
        using var oursClient = await ConnectWssAsync(plugin.Port);
        var ours = Describe(JsonDocument.Parse(Nats.Core.Monitoring.MonitoringServer.Serialize(server.Monitoring.Invoke("/connz"))).RootElement);

        var ports = FreePorts.Take(3);
        await using var reference = await ReferenceServer.StartAsync($"port: {ports[0]}\nhttp_port: {ports[2]}\nwebsocket {{\n port: {ports[1]}\n{block}\n}}\n", ports[1]);
        using var theirsClient = await ConnectWssAsync(ports[1]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var theirs = Describe(JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports[2]}/connz")).RootElement);

        Assert.That(ours, Is.EqualTo("kind=Client type=websocket tls_version=1.3 cipher_set=True"));
        Assert.That(theirs, Is.EqualTo("kind=Client type=websocket tls_version=<none> cipher_set=False"));
    }
}
