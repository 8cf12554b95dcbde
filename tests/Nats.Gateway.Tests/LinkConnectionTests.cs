using System.Net;
using System.Net.Sockets;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// The public link base used from outside core (<see cref="TextLink"/>): handshake, parse hook,
/// outbound messages both ways through the router, keep-alive with the server's ping settings,
/// protocol errors, closing with a reason, TLS on both sides, listing in <c>server.Links</c>.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class LinkConnectionTests
{
    private static async Task<(TextLink Link, Task Run, RawClient Peer)> AcceptLinkAsync(TestServer server, TimeSpan? pingEvery = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = RawClient.ConnectAsync(((IPEndPoint)listener.LocalEndpoint).Port, readInfo: false);
        var socket = await listener.AcceptSocketAsync();
        var link = new TextLink(server.Server, socket, solicited: false) { PingEvery = pingEvery };
        var run = link.RunAsync();
        var peer = await connecting;
        await peer.ExpectLineAsync("HELLO");
        return (link, run, peer);
    }

    [Test]
    public async Task Link_carries_messages_both_ways_and_leaves_its_interest_on_close()
    {
        await using var server = await TestServer.StartAsync();
        var (link, run, peer) = await AcceptLinkAsync(server);
        await using (peer)
        {
            Assert.That(server.Server.Links, Does.Contain(link));
            await peer.SendAsync("SUB link.in\r\nPING\r\n");
            await peer.ExpectLineAsync("PONG");

            await using var client = await server.ConnectAsync();
            await client.SendAsync("SUB link.out 1\r\n");
            await client.PingAsync();
            await client.SendAsync("PUB link.in 5\r\nhello\r\n");
            await peer.ExpectLineAsync("MSG link.in 5");
            await peer.ExpectLineAsync("hello");

            await peer.SendAsync("PUB link.out 2\r\nhi\r\n");
            await client.ExpectMsgAsync("link.out", "1", "hi");
            Assert.That(link.InMessages, Is.EqualTo(1));
            Assert.That(link.OutMessages, Is.EqualTo(1));
        }
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(link.ClosedWith, Is.EqualTo(ClosedReason.ClientClosed));
        Assert.That(server.Server.Links, Does.Not.Contain(link));
        Assert.That(server.Server.Accounts.Global.Sublist.Match("link.in"u8).IsEmpty, Is.True, "the link's interest left with it");
    }

    [Test]
    public async Task A_peer_that_never_answers_PING_is_closed_as_stale()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.MaxPingsOut = 2;
        });
        var (link, run, peer) = await AcceptLinkAsync(server);
        await using (peer)
        {
            await peer.ExpectLineAsync("PING");
            var rest = await peer.ReadUntilClosedAsync();
            Assert.That(rest, Does.Contain("-ERR 'Stale Connection'"));
        }
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(link.ClosedWith, Is.EqualTo(ClosedReason.StaleConnection));
    }

    [Test]
    public async Task A_bad_operation_gets_the_error_and_the_link_closes()
    {
        await using var server = await TestServer.StartAsync();
        var (link, run, peer) = await AcceptLinkAsync(server);
        await using (peer)
        {
            await peer.SendAsync("BOGUS\r\n");
            await peer.ExpectErrAndCloseAsync("Unknown Protocol Operation");
        }
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(link.ClosedWith, Is.EqualTo(ClosedReason.ProtocolViolation));
    }

    [Test]
    public async Task Both_ends_upgrade_to_TLS_with_the_servers_set()
    {
        using var certificate = new SelfSignedCertificate();
        await using var server = await TestServer.StartAsync();
        server.Server.Tls.Set("textlink", new TlsOptions
        {
            CertFile = certificate.CertPath,
            KeyFile = certificate.KeyPath,
            CaFile = certificate.CertPath,
            Timeout = TimeSpan.FromSeconds(5),
        });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connecting = dialled.ConnectAsync(listener.LocalEndpoint);
        var accepted = await listener.AcceptSocketAsync();
        await connecting;
        var inbound = new TextLink(server.Server, accepted, solicited: false, "textlink");
        var outbound = new TextLink(server.Server, dialled, solicited: true, "textlink");
        var runs = Task.WhenAll(inbound.RunAsync(), outbound.RunAsync());

        await TestServer.WaitUntilAsync(() => inbound.Tls is not null && outbound.Tls is not null, "both handshakes");
        Assert.That(outbound.Tls!.PeerCertificate?.Thumbprint, Is.EqualTo(certificate.Thumbprint));
        Assert.That(inbound.IsClosed || outbound.IsClosed, Is.False);

        outbound.Close(ClosedReason.ServerShutdown);
        await runs.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(outbound.ClosedWith, Is.EqualTo(ClosedReason.ServerShutdown));
        Assert.That(inbound.ClosedWith, Is.Not.Null);
    }
}
