using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Subjects;
using Nats.Leafnode.Links;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>An in-process server with the leafnode plugin, from a config text.</summary>
public sealed class OurServer : IAsyncDisposable
{
    private OurServer(NatsServer server, LeafnodePlugin plugin, Nats.WebSocket.WebSocketPlugin? webSocket)
    {
        Server = server;
        Plugin = plugin;
        WebSocket = webSocket;
    }

    /// <summary>The websocket plugin, when the server was started with it.</summary>
    public Nats.WebSocket.WebSocketPlugin? WebSocket { get; }

    /// <summary>The websocket port (0 without the websocket plugin).</summary>
    public int WebSocketPort => WebSocket?.Port ?? 0;

    public NatsServer Server { get; }

    public LeafnodePlugin Plugin { get; }

    public int Port => Server.Port;

    public int LeafPort => Plugin.Port;

    public LeafManager Manager => Plugin.Manager ?? throw new InvalidOperationException("no leafnodes configured");

    public int LeafCount => Plugin.Manager?.Connections.Count() ?? 0;

    /// <summary>
    /// Starts a server from <paramref name="config"/>; with <paramref name="webSocket"/> the
    /// websocket plugin runs too (its block in the config), with <paramref name="jetStream"/> the
    /// JetStream plugin (its <c>jetstream</c> block in the config); <paramref name="configure"/>
    /// runs before the start (to add an authenticator, say).
    /// </summary>
    public static async Task<OurServer> StartAsync(string config, ListLoggerProvider? logs = null, bool webSocket = false, Action<NatsServer>? configure = null, bool jetStream = false)
    {
        var server = new NatsServer(TestConfig.Options(config, "leaf.conf"), logs?.CreateFactory());
        configure?.Invoke(server);
        if (jetStream)
        {
            server.AddPlugin(new Nats.JetStream.Server.JetStreamPlugin());
        }
        var plugin = new LeafnodePlugin();
        server.AddPlugin(plugin);
        var ws = webSocket ? new Nats.WebSocket.WebSocketPlugin() : null;
        if (ws is not null)
        {
            server.AddPlugin(ws);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return new OurServer(server, plugin, ws);
    }

    public Account Account(string? name) => name is null ? Server.Accounts.Global : Server.Accounts.Find(name)!;

    /// <summary>True when <paramref name="subject"/> has a subscriber (of any kind) in the account.</summary>
    public bool HasInterest(string subject, string? account = null) => !Account(account).Sublist.Match(subject).IsEmpty;

    /// <summary>True when the account holds interest in <paramref name="subject"/> learned over a leaf link.</summary>
    public bool HasLeafInterest(string subject, string? account = null)
    {
        var result = Account(account).Sublist.Match(subject);
        foreach (var sub in result.Subscriptions)
        {
            if (sub.Sink is LeafConnection)
            {
                return true;
            }
        }
        foreach (var group in result.QueueGroups)
        {
            foreach (var member in group.Members)
            {
                if (member.Sink is LeafConnection)
                {
                    return true;
                }
            }
        }
        return false;
    }

    public Task<RawClient> ClientAsync(string connect = RawClient.QuietConnect) => RawClient.ConnectAndHandshakeAsync(Port, connect);

    public async ValueTask DisposeAsync() => await TestServer.StopAsync(Server);
}

/// <summary>Helpers shared by the link tests.</summary>
public static class Leaf
{
    /// <summary>CONNECT with user and password.</summary>
    public static string Connect(string user, string pass) =>
        $$"""{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"{{user}}","pass":"{{pass}}"}""";

    /// <summary>Subscribes and makes sure the server processed it.</summary>
    public static async Task SubAsync(RawClient client, string subject, string sid, string? queue = null)
    {
        await client.SendAsync(queue is null ? $"SUB {subject} {sid}\r\n" : $"SUB {subject} {queue} {sid}\r\n");
        await client.PingAsync();
    }

    public static async Task PubAsync(RawClient client, string subject, string payload, string? reply = null)
    {
        await client.SendAsync(reply is null ? $"PUB {subject} {payload.Length}\r\n{payload}\r\n" : $"PUB {subject} {reply} {payload.Length}\r\n{payload}\r\n");
        await client.PingAsync();
    }

    /// <summary>
    /// An empty request to a server's service, answered on <paramref name="reply"/>. No PING after
    /// it: the answer may come before the PONG would, which the caller then reads first.
    /// </summary>
    public static Task RequestAsync(RawClient client, string subject, string reply) =>
        client.SendAsync($"PUB {subject} {reply} 0\r\n\r\n");

    /// <summary>
    /// A raw leaf's first lines after its CONNECT: the hub's INFO, then the account's initial
    /// interest up to the <c>$LDS.</c> line. The account's system imports (<c>$SYS.REQ.…</c>)
    /// come before it and are skipped, as nats-server also announces them; anything else fails.
    /// </summary>
    public static async Task<(string Info, string LoopDetection)> ReadHandshakeAsync(RawClient leaf)
    {
        var info = await leaf.ReadLineAsync();
        Assert.That(info, Does.StartWith("INFO "));
        while (true)
        {
            var line = await leaf.ReadLineAsync();
            if (line.StartsWith("LS+ $LDS.", StringComparison.Ordinal))
            {
                return (info, line);
            }
            Assert.That(line, Does.StartWith("LS+ $SYS.REQ."), "only the account's system imports come before $LDS");
        }
    }

    /// <summary>A monitoring endpoint's JSON, as served.</summary>
    public static Task<string> ToJsonAsync(OurServer server, string path) =>
        Task.FromResult(Nats.Core.Monitoring.MonitoringServer.Serialize(server.Server.Monitoring.Invoke(path)));

    /// <summary>A config text as a reload gets it (the test servers' host and random client port).</summary>
    public static ServerOptions ReloadOptions(string config) => TestConfig.Options(config, "leaf.conf");

    /// <summary>Polls until <paramref name="condition"/> holds (bounded).</summary>
    public static Task UntilAsync(Func<bool> condition, string what, int seconds = 10) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    /// <summary>Polls the asynchronous <paramref name="condition"/> (a nats-server's /leafz, say) until it holds (bounded).</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 10) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    /// <summary>Asserts that <paramref name="client"/> receives nothing (beyond PONGs) for a while.</summary>
    public static async Task ExpectSilenceAsync(RawClient client, int milliseconds = 300)
    {
        var received = await client.DrainAsync(TimeSpan.FromMilliseconds(milliseconds));
        Assert.That(received.Replace("PONG\r\n", ""), Does.Not.Contain("MSG"), "nothing should have arrived");
    }
}
