using Nats.TestSupport;
using Nats.WebSocket.Config;

namespace Nats.WebSocket.Tests;

/// <summary>
/// The same raw upgrade requests sent to nats-server 2.9.10's websocket listener and to ours:
/// the answers' status lines (and a 101's whole head) must match.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReferenceHandshakeTests
{
    private ReferenceServer _reference = null!;
    private int _referencePort;
    private HandshakeHost _ours = null!;

    [OneTimeSetUp]
    public async Task StartBoth()
    {
        var ports = FreePorts.Take(2);
        _referencePort = ports[1];
        _reference = await ReferenceServer.StartAsync($$"""
            port: {{ports[0]}}
            websocket {
              port: {{ports[1]}}
              no_tls: true
              compression: true
              allowed_origins: ["http://good.example"]
            }
            """, ports[1]);
        _ours = new HandshakeHost(new WebSocketOptions { Port = -1, NoTls = true, Compression = true, AllowedOrigins = ["http://good.example"] });
    }

    [OneTimeTearDown]
    public async Task StopBoth()
    {
        await _ours.DisposeAsync();
        await _reference.DisposeAsync();
    }

    // nats-server 2.9.10 predates the 404 for /mqtt without MQTT; the rest are common ground.
    public static IEnumerable<TestCaseData> Requests() =>
        HandshakeTests.BadUpgrades.Cast<object[]>()
            .Where(c => !((string)c[0]).StartsWith("GET /mqtt", StringComparison.Ordinal))
            .Select(c => new TestCaseData((string)c[0]).SetName($"Same status as nats-server: {c[2]}"));

    [TestCaseSource(nameof(Requests))]
    public async Task A_bad_upgrade_gets_the_same_status_line(string request)
    {
        Assert.That(await StatusLineAsync(_ours.Port, request), Is.EqualTo(await StatusLineAsync(_referencePort, request)));
    }

    [TestCase("")]
    [TestCase("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")]
    [TestCase("Origin: http://good.example")]
    public async Task A_good_upgrade_gets_the_same_101(string extraHeader)
    {
        var request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                      (extraHeader.Length > 0 ? extraHeader + "\r\n" : "") + "\r\n";
        Assert.That(await HeadAsync(_ours.Port, request), Is.EqualTo(await HeadAsync(_referencePort, request)));
    }

    private static async Task<string> StatusLineAsync(int port, string request)
    {
        await using var client = await RawWebSocket.OpenAsync(port);
        await client.SendTextAsync(request);
        var head = await client.ReadResponseHeadAsync();
        return head.Split("\r\n")[0];
    }

    private static async Task<string> HeadAsync(int port, string request)
    {
        await using var client = await RawWebSocket.OpenAsync(port);
        await client.SendTextAsync(request);
        return await client.ReadResponseHeadAsync();
    }
}
