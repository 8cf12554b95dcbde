using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Leafnode.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

/// <summary>
/// Leaf links over WebSocket, both ends. Hub: the WebSocket plugin hands us upgrades whose path
/// ends in <c>/leafnode</c> (through the kernel's stream acceptors, registered when we have a
/// leafnode port, as nats-server accepts them only then); the link runs as on the leaf port but
/// without leaf-level TLS. Leaf: a <c>ws://</c>/<c>wss://</c> remote is dialled, TLS done under
/// the WebSocket (the remote's <c>tls</c> block, or the system's trust for a bare wss://), the
/// upgrade made (<see cref="LeafWebSocketDialer"/>), the hub's INFO read from the stream.
/// </summary>
public sealed partial class LeafManager
{
    /// <summary>The TLS handshake bound under a wss:// remote (nats-server's default TLS timeout).</summary>
    private static readonly TimeSpan TlsTimeout = TimeSpan.FromSeconds(2);

    // Set by Start, disposed by StopAsync (plugin lifecycle thread).
    private IDisposable? _webSocketLeafs;

    /// <summary>Hub side: a leaf arrived over the websocket port; INFO first (framed), then the link runs.</summary>
    private async Task AcceptWebSocketAsync(AcceptedStream accepted)
    {
        if (_stopping is null || _stopping.IsCancellationRequested)
        {
            await accepted.Stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        var connection = new LeafConnection(_server, accepted.Stream, accepted.Remote, accepted.Local, accepted.Tls,
            this, _options, remote: null, url: null, firstInfo: null, nonce: Core.Security.Nonce.Generate(), _logger);
        try
        {
            using var timeout = new CancellationTokenSource(_server.Options.WriteDeadline);
            await accepted.Stream.WriteAsync(connection.BuildFirstInfo(), timeout.Token).ConfigureAwait(false);
            await accepted.Stream.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            LeafLog.WebSocketAcceptInfoFailed(_logger, e.Message);
            await accepted.Stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        await connection.RunAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Leaf side of a ws:// or wss:// remote: connect, TLS when the scheme or the remote asks,
    /// the upgrade, then the hub's INFO (within <see cref="InfoWait"/>), checked as on TCP.
    /// </summary>
    private async Task<LeafConnection?> DialWebSocketAsync(RemoteLeafOptions remote, Uri url, CancellationToken stopping)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? transport = null;
        Stream? webSocket = null;
        try
        {
            using (var dial = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                dial.CancelAfter(DialTimeout);
                await socket.ConnectAsync(url.IdnHost, url.Port > 0 ? url.Port : LeafWebSocketDialer.IsSecure(url) ? 443 : 80, dial.Token).ConfigureAwait(false);
            }
            var remoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
            var localEndPoint = socket.LocalEndPoint as IPEndPoint;
            transport = new NetworkStream(socket, ownsSocket: true);
            TlsConnectionInfo? tls = null;
            if (remote.Tls is not null || LeafWebSocketDialer.IsSecure(url))
            {
                var options = RemoteTlsSet(remote) is { } set
                    ? _context.Tls.GetClientOptions(set, url.IdnHost)
                    : new SslClientAuthenticationOptions { TargetHost = url.IdnHost };
                var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
                transport = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                handshake.CancelAfter(TlsTimeout);
                await ssl.AuthenticateAsClientAsync(options!, handshake.Token).ConfigureAwait(false);
                tls = new TlsConnectionInfo(ssl.SslProtocol, ssl.NegotiatedCipherSuite.ToString(), PeerCertificate: null);
            }
            LeafInfo? info;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                wait.CancelAfter(InfoWait);
                (webSocket, var compressed) = await LeafWebSocketDialer.UpgradeAsync(transport, url, remote.WebSocketCompression, wait.Token).ConfigureAwait(false);
                LeafLog.WebSocketUpgraded(_logger, RemoteLeafOptions.Redact(url), compressed);
            }
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                wait.CancelAfter(InfoWait);
                info = await ReadFirstInfoAsync(webSocket, wait.Token).ConfigureAwait(false);
            }
            if (info is null || info.ClientId == 0 || info.LeafnodeUrls is null)
            {
                LeafLog.DialedWrongPort(_logger, RemoteLeafOptions.Redact(url));
                await webSocket.DisposeAsync().ConfigureAwait(false);
                return null;
            }
            LearnUrls(remote, info);
            return new LeafConnection(_server, webSocket, remoteEndPoint, localEndPoint, tls, this, _options, remote, url, info, info.Nonce, _logger);
        }
        catch (Exception e)
        {
            if (webSocket is not null)
            {
                webSocket.Dispose();
            }
            else if (transport is not null)
            {
                transport.Dispose();
            }
            else
            {
                socket.Dispose();
            }
            // Reported by the solicit loop as any failed attempt, with nats-server's reason.
            if (e is WebSocketException or AuthenticationException)
            {
                throw new IOException(e.Message, e);
            }
            throw;
        }
    }

    /// <summary>The hub's first INFO line from a stream (byte by byte: what follows stays for the link); null when it is something else.</summary>
    private static async Task<LeafInfo?> ReadFirstInfoAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxInfoLine];
        var filled = 0;
        while (filled < buffer.Length)
        {
            if (await stream.ReadAsync(buffer.AsMemory(filled, 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("connection closed before INFO");
            }
            if (buffer[filled++] == (byte)'\n')
            {
                var line = buffer.AsSpan(0, filled).TrimEnd("\r\n"u8);
                return line.StartsWith("INFO "u8) ? LeafInfo.Parse(line[5..]) : null;
            }
        }
        return null;
    }
}
