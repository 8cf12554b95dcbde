using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// A remote gateway that completes the handshake and then stops reading must not stall local
/// delivery: the publisher's back-pressure gives up on a peer that makes no progress, and the
/// gateway is cut at max_pending (or the write deadline) as a slow consumer, as a client would be.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class StuckGatewayTests
{
    private const string Subject = "gw.stuck";
    private const int PayloadSize = 1024;
    private const int Messages = 200_000;
    private const int MessagesPerBlock = 1_000;

    // nats-server 2.8 announces no gateway_iom: our outbound is optimistic and forwards every message.
    private const string OptimisticPeerInfo = """INFO {"server_id":"NSTUCKPEER","server_name":"stuck","version":"2.8.4","go":"go1.19","host":"127.0.0.1","port":1,"headers":true,"max_payload":1048576,"gateway":"STUCK","gateway_nrp":true}""" + "\r\n";

    /// <param name="rest">Server settings: the default max_pending (64 MB: the gateway is cut
    /// a third of the way through), or one above the whole run (the stuck gateway stays
    /// attached throughout, cut by the write deadline afterwards). The write deadline is long
    /// (20 s): a publisher held until the stuck peer is cut would take about that long, far
    /// from a run's second or so even on a loaded machine, where a 5 s deadline was not.</param>
    /// <param name="deadline">The write deadline in <paramref name="rest"/>.</param>
    /// <param name="reason">How the gateway is closed.</param>
    [TestCase("write_deadline: \"20s\"", 20, "Slow Consumer (Pending Bytes)")]
    [TestCase("max_pending: 536870912\nwrite_deadline: \"20s\"", 20, "Slow Consumer (Write Deadline)")]
    public async Task A_stuck_remote_gateway_is_cut_as_a_slow_consumer_and_local_delivery_keeps_its_pace(string rest, int deadline, string reason)
    {
        double alone, draining;
        await using (var server = await OurServer.StartAsync("a1", Gateways.Block("A", -1), rest))
        {
            // The first run warms the JIT and the pools; the second is the measurement.
            await MoveAsync(server);
            alone = (await MoveAsync(server)).Rate;
        }
        using (var listener = Listen(out var port))
        {
            // The same forwarding to a gateway that keeps up: what the copy to the gateway costs.
            await using var server = await OurServer.StartAsync("a1", Gateways.Block("A", -1, ("STUCK", port)), rest);
            using var peer = await HandshakeAsync(listener, server);
            var discarding = DiscardAsync(peer);
            await MoveAsync(server, Messages / 20);
            draining = (await MoveAsync(server)).Rate;
            Assert.That(server.Manager.Connections().Outbound.Single(c => c.RemoteName == "STUCK").IsClosed, Is.False, "a gateway that keeps up is not cut");
            peer.Shutdown(SocketShutdown.Both);
            await discarding.WaitAsync(TimeSpan.FromSeconds(10));
        }

        using var stuckListener = Listen(out var stuckPort);
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", -1, ("STUCK", stuckPort)), rest);
        using var stuckPeer = await HandshakeAsync(stuckListener, ours);
        stuckListener.Stop();
        var gateway = ours.Manager.Connections().Outbound.Single(c => c.RemoteName == "STUCK");

        // Warm-up with the gateway attached too (it takes these messages into its buffers).
        await MoveAsync(ours, Messages / 20);
        Assert.That(gateway.IsClosed, Is.False, "cut during the warm-up already");
        var (stuck, elapsed) = await MoveAsync(ours);
        var attachedThroughout = !gateway.IsClosed;
        await Eventually.TrueAsync(
            () => ours.Logs.Contains(LogLevel.Information, $"Outbound gateway connection to \"STUCK\" closed: {reason}"),
            $"the stuck gateway closed: {reason}", TimeSpan.FromSeconds(deadline + 30));
        Assert.That(gateway.OutMessages, Is.GreaterThan(Messages / 20), "the gateway was offered the messages (optimistic mode)");

        TestContext.Out.WriteLine(
            $"healthy subscriber, {Messages} x {PayloadSize} B ({(rest.Length == 0 ? "defaults" : rest.Replace('\n', ' '))}): " +
            $"alone {alone:N0} msg/s, with a gateway that keeps up {draining:N0} msg/s, with a stuck gateway {stuck:N0} msg/s ({elapsed.TotalMilliseconds:N0} ms); " +
            $"stuck/alone {stuck / alone:F2}, stuck/keeping-up {stuck / draining:F2}; the stuck gateway queued {gateway.OutMessages} messages, attached to the end of the run: {attachedThroughout}");
        // A stall (the publisher held until the stuck peer is cut) would take the write deadline;
        // the run takes about half a second on a quiet machine, a few on a loaded one. The rates
        // are reported, not asserted: on a shared machine they vary by 2x from run to run either way.
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(deadline) / 2), "local delivery waited for the stuck gateway");
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    /// <summary>Reads and drops everything the gateway sends until the socket is shut down.</summary>
    private static async Task DiscardAsync(Socket peer)
    {
        var buffer = new byte[1024 * 1024];
        try
        {
            while (await peer.ReceiveAsync(buffer) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// Plays the remote gateway up to registration (INFO, then our CONNECT and INFO) and reads
    /// no more: unless the caller drains it, our outbound fills the socket buffers, then its own.
    /// </summary>
    private static async Task<Socket> HandshakeAsync(TcpListener listener, OurServer ours)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var socket = await listener.AcceptSocketAsync(cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(OptimisticPeerInfo), cts.Token);
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\nINFO {", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.That(read, Is.GreaterThan(0), "our server hung up during the handshake");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        Assert.That(seen.ToString(), Does.StartWith("CONNECT {"));
        await Eventually.TrueAsync(() => ours.Manager.Connections().Outbound.Any(c => c.RemoteName == "STUCK"), "outbound registered");
        return socket;
    }

    /// <summary>
    /// A publisher and a subscriber on <paramref name="server"/> move <paramref name="messages"/>
    /// messages (a multiple of <see cref="MessagesPerBlock"/>); returns the rate at which the subscriber received all of them (msg/s) and the time it took.
    /// </summary>
    private static async Task<(double Rate, TimeSpan Elapsed)> MoveAsync(OurServer server, int messages = Messages)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var subscriber = await ConnectAsync(server.Server.Port, $"SUB {Subject} 1\r\n", cts.Token);
        using var publisher = await ConnectAsync(server.Server.Port, "", cts.Token);

        var frame = $"MSG {Subject} 1 {PayloadSize}\r\n".Length + PayloadSize + 2;
        var expected = (long)frame * messages;
        var block = PublishBlock();
        var watch = Stopwatch.StartNew();
        var receiving = ReceiveAsync(subscriber, expected, cts.Token);
        for (var i = 0; i < messages / MessagesPerBlock; i++)
        {
            await publisher.SendAsync(block, cts.Token);
        }
        var received = await receiving;
        watch.Stop();
        Assert.That(received, Is.EqualTo(expected), "the healthy subscriber got every message");
        return (messages / watch.Elapsed.TotalSeconds, watch.Elapsed);
    }

    private static byte[] PublishBlock()
    {
        var payload = new string('x', PayloadSize);
        var one = Encoding.ASCII.GetBytes($"PUB {Subject} {PayloadSize}\r\n{payload}\r\n");
        var block = new byte[one.Length * MessagesPerBlock];
        for (var i = 0; i < MessagesPerBlock; i++)
        {
            one.CopyTo(block, i * one.Length);
        }
        return block;
    }

    /// <summary>Connects a raw client, sends CONNECT, <paramref name="then"/> and PING, and reads up to the PONG.</summary>
    private static async Task<Socket> ConnectAsync(int port, string then, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":false,\"pedantic\":false}}\r\n{then}PING\r\n"), cancellationToken);
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().EndsWith("PONG\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.That(read, Is.GreaterThan(0), "the server hung up");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return socket;
    }

    /// <summary>
    /// Reads until <paramref name="expected"/> bytes of messages arrived (the subject, size and
    /// count are fixed). The server's first PING (2 s after the connect) comes in the middle of a
    /// run that a loaded machine makes that long: its bytes are not the messages'. No 'P' is in a
    /// message ("MSG gw.stuck 1 1024", then 'x's), so each 'P' read is a PING's 6 bytes, counted
    /// even when its rest is still to come.
    /// </summary>
    private static async Task<long> ReceiveAsync(Socket socket, long expected, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024 * 1024];
        long total = 0;
        while (total < expected)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.That(read, Is.GreaterThan(0), "the server hung up on the subscriber");
            total += read - 6 * buffer.AsSpan(0, read).Count((byte)'P');
        }
        return total;
    }
}
