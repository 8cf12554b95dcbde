using System.Collections.Concurrent;
using Nats.Core.Cluster;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Core.Tests.Plugins;

/// <summary>
/// <see cref="ServerEvents"/>: what plugins and the kernel's routes hear of (issue 7: heartbeat,
/// lame duck and reload reach routes and plugins through registered handlers).
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ServerEventsTests
{
    [Test]
    public async Task Clients_connecting_and_closing_are_told_with_their_kind_and_account()
    {
        await using var server = await TestServer.StartAsync();
        var connected = new ConcurrentQueue<ClientConnection>();
        var closed = new ConcurrentQueue<(ClientConnection Client, ClosedReason Reason)>();
        server.Server.Events.ClientConnected += connected.Enqueue;
        server.Server.Events.ClientClosed += c => closed.Enqueue((c, c.CloseReason));

        var client = await server.ConnectAsync();
        await TestServer.WaitUntilAsync(() => connected.Count == 1, "connected told");
        Assert.That(connected.Single().Kind, Is.SameAs(ConnectionKind.Client));
        Assert.That(connected.Single().Account.Name, Is.EqualTo("$G"));
        Assert.That(closed, Is.Empty);

        await client.DisposeAsync();
        await TestServer.WaitUntilAsync(() => closed.Count == 1, "closed told");
        Assert.That(closed.Single().Client, Is.SameAs(connected.Single()));
        Assert.That(closed.Single().Reason, Is.EqualTo(ClosedReason.ClientClosed));
    }

    [Test]
    public async Task A_failing_handler_does_not_keep_the_others_from_running()
    {
        await using var server = await TestServer.StartAsync();
        var ticks = 0;
        server.Server.Events.Heartbeat += _ => throw new InvalidOperationException("boom");
        server.Server.Events.Heartbeat += _ => Interlocked.Increment(ref ticks);
        await TestServer.WaitUntilAsync(() => Volatile.Read(ref ticks) >= 2, "heartbeat ticks past a throwing handler");
        // The server still serves clients: the heartbeat thread survived.
        await server.AssertHealthyAsync();
    }

    [Test]
    public async Task A_removed_handler_is_no_longer_called()
    {
        await using var server = await TestServer.StartAsync();
        var calls = 0;
        void Handler(ClientConnection _) => Interlocked.Increment(ref calls);
        server.Server.Events.ClientConnected += Handler;
        server.Server.Events.ClientConnected -= Handler;
        await using var client = await server.ConnectAsync();
        // The client's own handshake is done (PONG), and the event is raised before that.
        Assert.That(Volatile.Read(ref calls), Is.Zero);
    }

    [Test]
    public async Task Reload_is_told_with_the_previous_and_new_options()
    {
        await using var server = await TestServer.StartAsync();
        var seen = new List<(ServerOptions Previous, ServerOptions Current)>();
        server.Server.Events.Reloaded += (p, c) => seen.Add((p, c));
        var before = server.Server.Options;
        var proposed = new ServerOptions { Host = before.Host, Port = before.Port, MaxPayload = 4096 };
        Assert.That(server.Server.Reload(proposed).Success, Is.True);
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0].Previous, Is.SameAs(before));
        Assert.That(seen[0].Current, Is.SameAs(proposed));
    }

    [Test]
    public async Task Lame_duck_is_told_to_plugins_and_routes_resend_their_info_from_the_same_event()
    {
        await using var a = await StartMemberAsync(null);
        await using var b = await StartMemberAsync(a);
        var peerInfos = new ConcurrentQueue<RouteInfo>();
        b.Server.AddRouteInfoHandler(new InfoRecorder(peerInfos));
        await TestServer.WaitUntilAsync(() => a.Server.Routes!.Routes.Count == 1 && b.Server.Routes!.Routes.Count == 1, "the route up");
        // A client keeps lame duck from shutting down at once (which would drop the route's INFO).
        await using var client = await a.ConnectAsync();
        var told = 0;
        a.Server.Events.LameDuckEntered += () => Interlocked.Increment(ref told);

        var lameDuck = a.Server.EnterLameDuckModeAsync();
        await TestServer.WaitUntilAsync(() => peerInfos.Any(i => i.ServerId == a.Server.ServerId && i.LameDuckMode), "the peer told of lame duck over the route");
        Assert.That(Volatile.Read(ref told), Is.EqualTo(1));
        await lameDuck.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Task<TestServer> StartMemberAsync(TestServer? seed) => TestServer.StartAsync(o =>
    {
        o.Cluster = new ClusterOptions
        {
            Name = "events",
            Host = "127.0.0.1",
            Port = -1,
            Routes = seed is null ? [] : [new Uri($"nats-route://127.0.0.1:{seed.Server.Routes!.Port}")],
        };
        o.LameDuckGracePeriod = TimeSpan.FromMilliseconds(500);
        o.LameDuckDuration = TimeSpan.FromSeconds(1);
    });

    private sealed class InfoRecorder(ConcurrentQueue<RouteInfo> infos) : IRouteInfoHandler
    {
        public void OnPeerInfo(RouteInfo info, bool first) => infos.Enqueue(info);

        public void OnPeerGone(string serverId)
        {
        }

        public bool OnOtherInfo(string fromServerId, RouteInfo info) => false;
    }
}
