using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Nats.Core.Connections;
using Microsoft.Extensions.Logging;
using Nats.Core.Plugins;
using Nats.WebSocket.Framing;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket;

/// <summary>An accepted WebSocket connection, ready for the client protocol.</summary>
/// <param name="Stream">The framed stream (it owns the connection).</param>
/// <param name="Upgrade">What the handshake negotiated and carried.</param>
/// <param name="Tls">What the TLS handshake underneath established (wss://); null for ws://.</param>
public sealed record WebSocketSession(WebSocketStream Stream, WebSocketUpgrade Upgrade, TlsConnectionInfo? Tls)
{
    /// <summary>Whether TLS runs underneath (wss://).</summary>
    public bool IsTls => Tls is not null;
}

/// <summary>
/// Turns a fresh connection into a <see cref="WebSocketSession"/>: TLS with the websocket
/// certificate set (taken fresh per connection, so reloads apply), then the HTTP upgrade, all
/// within the handshake timeout as nats-server's HTTP server's ReadTimeout does. The listener
/// loop (whichever accepts sockets) calls it per connection.
/// </summary>
public sealed class WebSocketAcceptor
{
    /// <summary>Our bound when <c>handshake_timeout</c> is not set (nats-server then has none; a silent peer would hold a connection forever).</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<HandshakePolicy> _policy;
    private readonly ITlsStore? _tls;
    private readonly Func<int> _maxPayload;
    private readonly ILogger _logger;

    /// <summary>Creates the acceptor.</summary>
    /// <param name="policy">The policy in force (read per connection: reloads swap it).</param>
    /// <param name="tls">The TLS store holding the <see cref="WebSocketPlugin.TlsName"/> set; null for plain ws://.</param>
    /// <param name="maxPayload">The server's max_payload (read per connection).</param>
    /// <param name="logger">Where refused handshakes are logged, as nats-server logs them.</param>
    public WebSocketAcceptor(Func<HandshakePolicy> policy, ITlsStore? tls, Func<int> maxPayload, ILogger logger)
    {
        _policy = policy;
        _tls = tls;
        _maxPayload = maxPayload;
        _logger = logger;
    }

    /// <summary>The server side's stream over an upgraded connection, framed as the upgrade negotiated.</summary>
    public static WebSocketStream CreateStream(Stream transport, WebSocketUpgrade upgrade, int maxPayload) =>
        new(transport, new WebSocketStreamOptions
        {
            Compression = upgrade.Compression,
            Browser = upgrade.Browser,
            NoCompressedFragments = upgrade.NoCompressedFragments,
            RequireMaskedInput = !upgrade.NoMasking,
            MaxPayload = maxPayload,
        });

    /// <summary>
    /// Runs TLS and the upgrade on <paramref name="network"/>. Returns null when the connection
    /// was refused, timed out or dropped (the transport is then disposed); otherwise the session,
    /// which owns the transport.
    /// </summary>
    public async Task<WebSocketSession?> AcceptAsync(Stream network, string remote, CancellationToken cancellationToken)
    {
        var policy = _policy();
        var timeout = policy.Options.HandshakeTimeout > TimeSpan.Zero ? policy.Options.HandshakeTimeout : DefaultHandshakeTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var transport = network;
        try
        {
            TlsConnectionInfo? tlsInfo = null;
            if (_tls?.GetServerOptions(WebSocketPlugin.TlsName) is { } tlsOptions)
            {
                var ssl = new SslStream(network, leaveInnerStreamOpen: false);
                transport = ssl;
                await ssl.AuthenticateAsServerAsync(tlsOptions, deadline.Token).ConfigureAwait(false);
                tlsInfo = new TlsConnectionInfo(ssl.SslProtocol, ssl.NegotiatedCipherSuite.ToString(),
                    ssl.RemoteCertificate is { } peer ? peer as X509Certificate2 ?? new X509Certificate2(peer) : null);
            }
            var result = await WebSocketHandshake.AcceptAsync(transport, policy, tlsInfo is not null, deadline.Token).ConfigureAwait(false);
            if (result.Upgrade is not { } upgrade)
            {
                WebSocketLog.UpgradeRefused(_logger, result.Rejection!.LogText(remote));
                await transport.DisposeAsync().ConfigureAwait(false);
                return null;
            }
            return new WebSocketSession(CreateStream(transport, upgrade, _maxPayload()), upgrade, tlsInfo);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            var why = e is OperationCanceledException && !cancellationToken.IsCancellationRequested ? "handshake timeout" : e.Message;
            WebSocketLog.HandshakeError(_logger, remote, why);
            await transport.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }
}
