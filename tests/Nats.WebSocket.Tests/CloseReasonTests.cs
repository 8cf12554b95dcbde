using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// When the server ends a websocket client, its close frame carries the kernel's close reason
/// (nats-server's <c>wsEnqueueCloseMessage</c>: status and reason text), after any -ERR; the
/// same scenario against nats-server 2.9.10 gives the same frames.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class CloseReasonTests
{
    private const string Block = "no_tls: true\nauthorization { user: u, password: p }";

    private static async Task<(int Port, IAsyncDisposable Server)> StartAsync(string which, string rest = "", string block = Block)
    {
        if (which == "ours")
        {
            var (server, plugin) = await EndToEndTests.StartAsync($"port: -1\nhost: 127.0.0.1\n{block}", rest);
            return (plugin.Port, server);
        }
        var ports = FreePorts.Take(2);
        var reference = await ReferenceServer.StartAsync($"port: {ports[0]}\n{rest}\nwebsocket {{\n port: {ports[1]}\n{block}\n}}\n", ports[1]);
        return (ports[1], reference);
    }

    private static async Task<string> ScenarioAsync(int port, string send)
    {
        await using var ws = await RawWebSocket.ConnectAsync(port);
        await ws.ReadFrameAsync();
        await ws.SendBinaryAsync(send);
        return await EndToEndTests.ReadUntilAsync(ws, "<close");
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task Bad_credentials_end_with_1008_Authentication_Failure(string which)
    {
        var (port, server) = await StartAsync(which);
        await using var _ = server;
        Assert.That(await ScenarioAsync(port, "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"x\"}\r\nPING\r\n"),
            Is.EqualTo("-ERR 'Authorization Violation'\r\n<close 1008 Authentication Failure>"));
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task An_oversized_publish_ends_with_1009_Maximum_Message_Payload_Exceeded(string which)
    {
        var (port, server) = await StartAsync(which, "max_payload: 100");
        await using var _ = server;
        Assert.That(await ScenarioAsync(port, "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}\r\nPUB a 200\r\n"),
            Is.EqualTo("-ERR 'Maximum Payload Violation'\r\n<close 1009 Maximum Message Payload Exceeded>"));
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task An_unknown_operation_ends_with_1002_Protocol_Violation(string which)
    {
        var (port, server) = await StartAsync(which);
        await using var _ = server;
        Assert.That(await ScenarioAsync(port, "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}\r\nNOPE\r\n"),
            Is.EqualTo("-ERR 'Unknown Protocol Operation'\r\n<close 1002 Protocol Violation>"));
    }

    [TestCase("ours")]
    [TestCase("nats-server")]
    public async Task The_websocket_authorization_timeout_alone_shortens_the_servers(string which)
    {
        var (port, server) = await StartAsync(which, "authorization { user: a, password: b, timeout: 30 }", "no_tls: true\nauthorization { timeout: 1 }");
        await using var _ = server;
        await using var ws = await RawWebSocket.ConnectAsync(port);
        ws.Timeout = TimeSpan.FromSeconds(25);
        await ws.ReadFrameAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(await EndToEndTests.ReadUntilAsync(ws, "<close"), Is.EqualTo("-ERR 'Authentication Timeout'\r\n<close 1008 Authentication Timeout>"));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the websocket's 1 s, not the server's 30 s");
    }
}
