using Nats.Core;
using Nats.Core.Config;

namespace Nats.TestSupport;

/// <summary>
/// An in-process server on 127.0.0.1 and a random free port, configured per test, shut down
/// (bounded in time) when disposed.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(NatsServer server)
    {
        Server = server;
    }

    public NatsServer Server { get; }

    public int Port => Server.Port;

    /// <summary>
    /// Starts a server; <paramref name="configure"/> adjusts the options first, and
    /// <paramref name="logs"/> (a <see cref="ListLoggerProvider"/>'s, say) receives its log.
    /// </summary>
    public static async Task<TestServer> StartAsync(Action<ServerOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1 };
        configure?.Invoke(options);
        var server = new NatsServer(options, logs);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return new TestServer(server);
    }

    /// <summary>Connects and reads INFO only.</summary>
    public Task<RawClient> ConnectRawAsync(int? receiveBuffer = null) => RawClient.ConnectAsync(Port, receiveBuffer: receiveBuffer);

    /// <summary>Connects, sends CONNECT and PING, and waits for PONG.</summary>
    public Task<RawClient> ConnectAsync(string connectJson = RawClient.QuietConnect) => RawClient.ConnectAndHandshakeAsync(Port, connectJson);

    /// <summary>
    /// Asserts the server still serves new clients: a fresh subscriber receives a fresh
    /// publisher's message. Used after every attack on the server.
    /// </summary>
    public async Task AssertHealthyAsync(string connectJson = RawClient.QuietConnect)
    {
        await using var sub = await ConnectAsync(connectJson);
        await using var pub = await ConnectAsync(connectJson);
        await sub.SendAsync("SUB health.check 1\r\n");
        await sub.PingAsync();
        await pub.SendAsync("PUB health.check 2\r\nok\r\n");
        await pub.PingAsync();
        await sub.ExpectMsgAsync("health.check", "1", "ok");
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, polling briefly; fails after
    /// <paramref name="timeout"/> (15 s by default: a loaded CI machine notices a close or a route late).
    /// </summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(condition, what, timeout ?? TimeSpan.FromSeconds(15));

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(Server);

    /// <summary>
    /// Shuts <paramref name="server"/> down and disposes it; fails the test when the shutdown
    /// takes longer than <paramref name="within"/> (10 s by default).
    /// </summary>
    public static async Task StopAsync(NatsServer server, TimeSpan? within = null)
    {
        var bound = within ?? TimeSpan.FromSeconds(10);
        var shutdown = server.ShutdownAsync();
        if (await Task.WhenAny(shutdown, Task.Delay(bound)) != shutdown)
        {
            Assert.Fail($"the server did not shut down within {bound.TotalSeconds} s");
        }
        await server.DisposeAsync();
    }
}
