using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// The gateway protocol on the wire, with the test playing the remote server: what our outbound
/// side sends in optimistic mode and after RS-/A-/A+ and the switch to interest-only, and what
/// our inbound side announces.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ProtocolTests
{
    // A server before 2.9 (no gateway_iom): our outbound starts optimistic.
    private const string OldPeerInfo = """INFO {"server_id":"NOLDPEER","server_name":"old","version":"2.8.4","go":"go1.19","host":"127.0.0.1","port":1,"headers":true,"max_payload":1048576,"gateway":"OLD","gateway_nrp":true}""" + "\r\n";

    private static async Task<(OurServer Ours, RawClient Peer)> DialedByOursAsync(string peerInfo)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1, ("OLD", port)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var peer = RawClient.Wrap(await listener.AcceptSocketAsync(cts.Token));
        await peer.SendAsync(peerInfo);
        var connect = await peer.ReadLineAsync();
        Assert.That(connect, Does.StartWith("CONNECT {"));
        using (var json = JsonDocument.Parse(connect["CONNECT ".Length..]))
        {
            Assert.That(json.RootElement.GetProperty("gateway").GetString(), Is.EqualTo("A"));
            Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo(ours.Server.ServerId));
        }
        Assert.That(await peer.ReadLineAsync(), Does.StartWith("INFO {"));
        await Eventually.TrueAsync(() => ours.Manager.Connections().Outbound.Count == 1, "outbound registered");
        return (ours, peer);
    }

    /// <summary>Everything the peer received up to the PONG that answers a PING sent now.</summary>
    private static async Task<string> SyncAsync(RawClient peer, RawClient client)
    {
        await client.PingAsync();
        await peer.SendAsync("PING\r\n");
        return await peer.ExpectAsync("PONG\r\n");
    }

    [Test]
    public async Task Outbound_goes_from_optimistic_to_interest_only_as_the_remote_says()
    {
        var (ours, peer) = await DialedByOursAsync(OldPeerInfo);
        await using var _ = ours;
        await using var __ = peer;
        await using var client = await RawClient.ConnectAndHandshakeAsync(ours.Server.Port);

        // Optimistic: anything goes, with no subscription announced.
        await client.SendAsync("PUB foo 1\r\na\r\n");
        Assert.That(await SyncAsync(peer, client), Does.Contain("RMSG $G foo 1\r\na\r\n"));

        // RS-: not that subject any more; others still.
        await peer.SendAsync("RS- $G foo\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB foo 1\r\nb\r\nPUB bar 1\r\nc\r\n");
        var seen = await SyncAsync(peer, client);
        Assert.That(seen, Does.Contain("RMSG $G bar 1\r\nc\r\n"));
        Assert.That(seen, Does.Not.Contain("foo"));

        // RS+ (wildcard) clears it again.
        await peer.SendAsync("RS+ $G *\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB foo 1\r\nd\r\n");
        Assert.That(await SyncAsync(peer, client), Does.Contain("RMSG $G foo 1\r\nd\r\n"));

        // A-: nothing of the account; A+: everything again.
        await peer.SendAsync("A- $G\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB baz 1\r\ne\r\n");
        Assert.That(await SyncAsync(peer, client), Does.Not.Contain("baz"));
        await peer.SendAsync("A+ $G\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB baz 1\r\nf\r\n");
        Assert.That(await SyncAsync(peer, client), Does.Contain("RMSG $G baz 1\r\nf\r\n"));

        // The switch: INFO cmd 2, all subscriptions, INFO cmd 3: only what was announced.
        await peer.SendAsync("INFO {\"gateway\":\"OLD\",\"gateway_cmd\":2,\"gateway_cmd_payload\":\"JEc=\"}\r\nRS+ $G only.this\r\nRS+ $G work q1 1\r\nINFO {\"gateway\":\"OLD\",\"gateway_cmd\":3,\"gateway_cmd_payload\":\"JEc=\"}\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB other 1\r\ng\r\nPUB only.this 1\r\nh\r\nPUB work 1\r\ni\r\nPUB work _INBOX.x 1\r\nj\r\n");
        seen = await SyncAsync(peer, client);
        Assert.That(seen, Does.Not.Contain("other"));
        Assert.That(seen, Does.Contain("RMSG $G only.this 1\r\nh\r\n"));
        Assert.That(seen, Does.Contain("RMSG $G work | q1 1\r\ni\r\n"));
        Assert.That(seen, Does.Contain("RMSG $G work + _INBOX.x q1 1\r\nj\r\n"));

        // RS- in interest-only mode withdraws the subscription.
        await peer.SendAsync("RS- $G only.this\r\n");
        await SyncAsync(peer, client);
        await client.SendAsync("PUB only.this 1\r\nk\r\n");
        Assert.That(await SyncAsync(peer, client), Does.Not.Contain("only.this"));
    }

    [Test]
    public async Task A_new_inbound_gets_queue_groups_then_every_account_switched_to_interest_only()
    {
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1));
        await using var client = await RawClient.ConnectAndHandshakeAsync(ours.Server.Port);
        await client.SendAsync("SUB pre.sub 1\r\nSUB qs q1 2\r\n");
        await client.PingAsync();

        await using var peer = await RawClient.ConnectAsync(ours.Manager.Port);
        Assert.That(peer.Info.GetProperty("gateway").GetString(), Is.EqualTo("A"));
        Assert.That(peer.Info.GetProperty("gateway_nrp").GetBoolean(), Is.True);
        Assert.That(peer.Info.GetProperty("gateway_iom").GetBoolean(), Is.True);
        await peer.SendAsync("CONNECT {\"echo\":false,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true,\"name\":\"NPEER\",\"cluster\":\"\",\"gateway\":\"OLD\"}\r\n");
        await peer.SendAsync(OldPeerInfo);
        var greeting = await peer.ExpectAsync("\"gateway_cmd\":3,\"gateway_cmd_payload\":\"JEc=\"}\r\n");
        Assert.That(greeting, Does.Contain("RS+ $G qs q1 1\r\n"));
        var start = greeting.IndexOf("\"gateway_cmd\":2,\"gateway_cmd_payload\":\"JEc=\"", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(greeting.IndexOf("RS+ $G qs q1 1", StringComparison.Ordinal)), "queue groups first, then the switch");
        Assert.That(greeting[start..], Does.Contain("RS+ $G pre.sub\r\n"));

        // From now on every change is announced.
        await client.SendAsync("SUB new.sub 3\r\n");
        await client.PingAsync();
        await peer.ExpectAsync("RS+ $G new.sub\r\n");
        await client.SendAsync("UNSUB 3\r\n");
        await client.PingAsync();
        await peer.ExpectAsync("RS- $G new.sub\r\n");

        // A message for an account this server does not have: A-.
        await peer.SendAsync("RMSG NOPE foo 1\r\na\r\n");
        await peer.ExpectAsync("A- NOPE\r\n");
        // A message with interest reaches the local subscriber.
        await peer.SendAsync("RMSG $G pre.sub 2\r\nhi\r\n");
        await client.ExpectMsgAsync("pre.sub", "1", "hi");
    }

    [Test]
    public async Task A_gateway_with_the_wrong_password_is_refused()
    {
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1) + "\nauthorization { user: gw, password: secret }");
        await using var peer = await RawClient.ConnectAsync(ours.Manager.Port);
        Assert.That(peer.Info.GetProperty("auth_required").GetBoolean(), Is.True);
        await peer.SendAsync("CONNECT {\"user\":\"gw\",\"pass\":\"wrong\",\"name\":\"NPEER\",\"gateway\":\"OLD\"}\r\n");
        await peer.ExpectErrAndCloseAsync("Authorization Violation");
    }

    [Test]
    public async Task A_client_on_the_gateway_port_is_refused()
    {
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1));
        await using var peer = await RawClient.ConnectAsync(ours.Manager.Port);
        await peer.SendAsync("CONNECT {\"verbose\":false,\"lang\":\"go\"}\r\n");
        await peer.ExpectErrAndCloseAsync("attempted to connect to gateway port");
    }

    [Test]
    public async Task Reject_unknown_cluster_refuses_gateways_not_listed()
    {
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1) + "\nreject_unknown_cluster: true");
        await using var peer = await RawClient.ConnectAsync(ours.Manager.Port);
        await peer.SendAsync("CONNECT {\"name\":\"NPEER\",\"gateway\":\"STRANGER\"}\r\n");
        await peer.ExpectErrAndCloseAsync("Connection to gateway \"A\" rejected");
    }
}
