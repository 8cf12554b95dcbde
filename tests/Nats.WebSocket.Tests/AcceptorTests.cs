using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core.Config;
using Nats.Core.Security.Tls;
using Nats.TestSupport;
using Nats.WebSocket.Config;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket.Tests;

/// <summary>The per-connection acceptor: wss:// with the websocket certificate set, and the handshake timeout.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class AcceptorTests
{
    [Test]
    public async Task A_wss_client_upgrades_over_TLS_and_exchanges_frames()
    {
        using var cert = new SelfSignedCertificate();
        using var store = new TlsStore();
        store.Set(WebSocketPlugin.TlsName, new TlsOptions { CertFile = cert.CertPath, KeyFile = cert.KeyPath });
        var options = new WebSocketOptions { Port = -1, Tls = store.Get(WebSocketPlugin.TlsName), SameOrigin = true };
        var acceptor = new WebSocketAcceptor(() => new HandshakePolicy(options), store, () => 1024 * 1024, NullLogger.Instance);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serverSide = Task.Run(async () =>
        {
            var socket = await listener.AcceptSocketAsync();
            var session = await acceptor.AcceptAsync(new NetworkStream(socket, ownsSocket: true), "test", CancellationToken.None);
            Assert.That(session, Is.Not.Null);
            Assert.That(session!.IsTls, Is.True);
            await using var stream = session.Stream;
            await HandshakeHost.EchoAsync(stream, session.Upgrade);
        });

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        // same_origin over TLS compares with https://<Host>.
        var request = RawWebSocket.UpgradeRequest(port, "/", $"Origin: https://127.0.0.1:{port}");
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = await ReadHeadAsync(ssl);
        Assert.That(head, Does.StartWith("HTTP/1.1 101 "));
        await ssl.WriteAsync(RawWebSocket.EncodeFrame(2, "PING\r\n"u8));
        var frame = new byte[8];
        await ssl.ReadExactlyAsync(frame);
        Assert.That(frame[..2], Is.EqualTo(new byte[] { 0x82, 6 }));
        Assert.That(Encoding.ASCII.GetString(frame, 2, 6), Is.EqualTo("PING\r\n"));
        await ssl.WriteAsync(RawWebSocket.EncodeFrame(8, new byte[] { 0x03, 0xE8 }));
        await serverSide.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_peer_that_never_completes_is_dropped_at_the_handshake_timeout()
    {
        var options = new WebSocketOptions { Port = -1, NoTls = true, HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        var acceptor = new WebSocketAcceptor(() => new HandshakePolicy(options), null, () => 1024, NullLogger.Instance);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = await RawWebSocket.OpenAsync(port);
        using var socket = await listener.AcceptSocketAsync();
        var started = DateTime.UtcNow;
        var session = await acceptor.AcceptAsync(new NetworkStream(socket, ownsSocket: false), "test", CancellationToken.None);
        Assert.That(session, Is.Null);
        // Without the timeout the accept would wait for the silent peer for ever.
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 8192)
        {
            await stream.ReadExactlyAsync(one);
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }
        return Encoding.ASCII.GetString([.. head]);
    }
}
