using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Nats.Core;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>One of our servers with the gateway plugin, started from a config text.</summary>
internal sealed class OurServer : IAsyncDisposable
{
    private readonly string _serverName;
    private readonly string _rest;

    private OurServer(NatsServer server, GatewayPlugin plugin, string serverName, string rest, ListLoggerProvider logs)
    {
        Logs = logs;
        Server = server;
        Plugin = plugin;
        _serverName = serverName;
        _rest = rest;
    }

    public NatsServer Server { get; }

    /// <summary>What the server logged (Debug and up, or as given at the start).</summary>
    public ListLoggerProvider Logs { get; }

    public GatewayPlugin Plugin { get; }

    public GatewayManager Manager => Plugin.Manager!;

    public string ClientUrl => $"nats://127.0.0.1:{Server.Port}";

    /// <summary>
    /// Starts a server whose config has <paramref name="gateway"/> as the gateway block's body;
    /// its log is kept from <paramref name="logLevel"/> up (Trace for a protocol trace).
    /// </summary>
    public static async Task<OurServer> StartAsync(string serverName, string gateway, string rest = "", LogLevel logLevel = LogLevel.Debug)
    {
        var logs = new ListLoggerProvider();
        var server = new NatsServer(Options(serverName, gateway, rest), logs.CreateFactory(logLevel));
        var plugin = new GatewayPlugin { DialDelay = TimeSpan.FromMilliseconds(100) };
        server.AddPlugin(plugin);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return new OurServer(server, plugin, serverName, rest, logs);
    }

    /// <summary>Reloads with a new gateway block body (same server name and other settings).</summary>
    public Nats.Core.Plugins.ReloadResult Reload(string gateway)
    {
        return Server.Reload(Options(_serverName, gateway, _rest));
    }

    private static ServerOptions Options(string serverName, string gateway, string rest) =>
        TestConfig.Options($"server_name: {serverName}\n{rest}\ngateway {{\n{gateway}\n}}\n", "gw.conf");

    /// <summary>Waits until this server has an outbound and an inbound connection with <paramref name="remote"/>.</summary>
    public Task WaitForGatewayAsync(string remote, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() =>
        {
            var (outbound, inbound) = Manager.Connections();
            return outbound.Any(c => c.RemoteName == remote) && inbound.Any(c => c.RemoteName == remote);
        }, $"{Server.Name} connected both ways to gateway {remote}", timeout ?? TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync() => await TestServer.StopAsync(Server);
}

/// <summary>
/// Clusters A and B, one of our servers each (a1 and b1), each listing the other as a gateway:
/// connected both ways when <see cref="StartAsync"/> returns. The start-up most gateway tests share.
/// </summary>
internal sealed class GatewayPair : IAsyncDisposable
{
    private GatewayPair(OurServer a, OurServer b)
    {
        A = a;
        B = b;
    }

    /// <summary>Server a1 of cluster A.</summary>
    public OurServer A { get; }

    /// <summary>Server b1 of cluster B.</summary>
    public OurServer B { get; }

    /// <summary>Starts both with <paramref name="rest"/> in their configs, logging from <paramref name="logLevel"/>; waits for both gateways.</summary>
    public static async Task<GatewayPair> StartAsync(string rest = "", LogLevel logLevel = LogLevel.Debug)
    {
        var ports = FreePorts.Take(2);
        var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])), rest, logLevel);
        OurServer b;
        try
        {
            b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1], ("A", ports[0])), rest, logLevel);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
        var pair = new GatewayPair(a, b);
        try
        {
            await a.WaitForGatewayAsync("B");
            await b.WaitForGatewayAsync("A");
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

internal static class Gateways
{
    /// <summary>A gateway block body: name, listen on 127.0.0.1:port, the remotes.</summary>
    public static string Block(string name, int port, params (string Name, int Port)[] remotes) =>
        $"name: {name}\nhost: 127.0.0.1\nport: {port}\ngateways: [\n{string.Join(",\n", remotes.Select(r => Remote(r.Name, r.Port)))}\n]";

    public static string Remote(string name, int port) => $"  {{name: {name}, url: \"nats://127.0.0.1:{port}\"}}";

    /// <summary>A nats-server config with a client port and a gateway block.</summary>
    public static string ReferenceConfig(string serverName, int clientPort, string gatewayBlock) =>
        $"server_name: {serverName}\nlisten: 127.0.0.1:{clientPort}\ngateway {{\n{gatewayBlock}\n}}\n";

    public static async Task<NatsConnection> ConnectAsync(string url)
    {
        var connection = new NatsConnection(new NatsOpts { Url = url, Name = "gateway-test" });
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>
    /// Publishes probes on <paramref name="subject"/> until <paramref name="subscription"/> gets
    /// one (interest crosses gateways asynchronously), then drains what arrived.
    /// </summary>
    public static async Task WaitForInterestAsync(NatsConnection publisher, INatsSub<string> subscription, string subject, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            await publisher.PublishAsync(subject, "probe", cancellationToken: cts.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                await subscription.Msgs.ReadAsync(wait.Token);
                break;
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
            }
        }
        await Task.Delay(200, cts.Token);
        while (subscription.Msgs.TryRead(out _))
        {
        }
    }

    /// <summary>Reads <paramref name="count"/> messages, failing after <paramref name="timeout"/>.</summary>
    public static async Task<List<string>> ReadAsync(INatsSub<string> subscription, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var received = new List<string>();
        while (received.Count < count)
        {
            var message = await subscription.Msgs.ReadAsync(cts.Token);
            received.Add(message.Data ?? "");
        }
        return received;
    }
}
