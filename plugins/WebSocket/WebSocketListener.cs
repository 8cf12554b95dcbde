using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.WebSocket.Config;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket;

/// <summary>
/// The websocket port: the server's one accept loop (<see cref="ConnectionListener"/>) hands
/// each socket to the <see cref="WebSocketAcceptor"/>; an upgraded client is then served by the
/// kernel (<see cref="NatsServer.ServeClientAsync"/>) over the framed stream, as a
/// <see cref="ConnectionKind.WebSocket"/> client; a leaf node (or MQTT) upgrade goes to the
/// plugin that registered that kind's stream acceptor.
/// </summary>
/// <remarks>Fields are set at start and read by accept tasks; nothing changes after.</remarks>
internal sealed class WebSocketListener
{
    private readonly NatsServer _server;
    private readonly WebSocketAcceptor _acceptor;
    private readonly ClientListenerOptions _clientOptions;
    private readonly ILogger _logger;
    private ConnectionListener? _listener;

    public WebSocketListener(NatsServer server, WebSocketAcceptor acceptor, WebSocketOptions options, ILogger logger)
    {
        _server = server;
        _acceptor = acceptor;
        _logger = logger;
        // TLS runs below the HTTP upgrade (wss://), in the acceptor: none for the kernel client.
        _clientOptions = options.Auth.ToClientListenerOptions(server, logPrefix: "ws") with { ConnectUrlsField = ConnectUrlsField };
    }

    /// <summary>The route INFO field carrying each server's websocket URLs, as nats-server names it.</summary>
    public const string ConnectUrlsField = "ws_connect_urls";

    /// <summary>The port bound.</summary>
    public int Port => _listener?.Port ?? 0;

    public void Start(WebSocketOptions options, bool tls)
    {
        _listener = ConnectionListener.Start("websocket", new HostPort(options.EffectiveHost, options.Port), _logger, ServeAsync, _server.ShutdownToken);
        WebSocketLog.Listening(_logger, tls ? "wss" : "ws", HostPort.Join(options.EffectiveHost, Port));
        // Gossiped over routes, so websocket clients learn the cluster's websocket ports.
        _server.AdvertiseUrls(ConnectUrlsField, NatsServer.ConnectUrlsFor(options.Advertise, options.EffectiveHost, Port));
        if (!tls)
        {
            WebSocketLog.NoTls(_logger);
        }
    }

    public void Stop() => _listener?.Stop();

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        var remote = socket.RemoteEndPoint as IPEndPoint;
        var session = await _acceptor.AcceptAsync(new NetworkStream(socket, ownsSocket: true), remote?.ToString() ?? "?", _server.ShutdownToken).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }
        if (session.Upgrade.Kind != UpgradeKind.Client)
        {
            await HandOverAsync(session, remote, socket.LocalEndPoint as IPEndPoint).ConfigureAwait(false);
            return;
        }
        // nats-server reports the X-Forwarded-For address as the client's.
        if (session.Upgrade.ForwardedClientIp is { } forwarded && IPAddress.TryParse(forwarded, out var address))
        {
            remote = new IPEndPoint(address, remote?.Port ?? 0);
        }
        await _server.ServeClientAsync(session.Stream, remote, ConnectionKind.WebSocket, ClientOptionsFor(session)).ConfigureAwait(false);
    }

    /// <summary>
    /// A leaf node (path ending in <c>/leafnode</c>) or MQTT upgrade: the framed stream goes to
    /// the plugin registered for that kind (<see cref="NatsServer.AcceptStreamAsync"/>). Without
    /// one, nats-server's behaviour: a leaf upgrade on a server without a leafnode port is
    /// closed with an error logged (/mqtt without MQTT was answered 404 before the upgrade).
    /// </summary>
    private async Task HandOverAsync(WebSocketSession session, IPEndPoint? remote, IPEndPoint? local)
    {
        var kind = session.Upgrade.Kind == UpgradeKind.LeafNode ? ConnectionKind.Leaf : ConnectionKind.Mqtt;
        var accepted = new AcceptedStream(session.Stream, remote) { Local = local, Transport = "websocket", Tls = session.Tls };
        if (!await _server.AcceptStreamAsync(kind, accepted).ConfigureAwait(false))
        {
            WebSocketLog.NotAccepting(_logger, kind == ConnectionKind.Leaf ? "leaf node" : "MQTT");
            await session.Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The listener's options for one connection: its TLS (for /connz), its cookies standing in for empty CONNECT credentials.</summary>
    private ClientListenerOptions ClientOptionsFor(WebSocketSession session)
    {
        var upgrade = session.Upgrade;
        var cookies = new ConnectDefaults
        {
            Jwt = upgrade.CookieJwt,
            Username = upgrade.CookieUsername,
            Password = upgrade.CookiePassword,
            Token = upgrade.CookieToken,
        };
        return cookies.IsEmpty && session.Tls is null
            ? _clientOptions
            : _clientOptions with { ConnectDefaults = cookies.IsEmpty ? null : cookies, TransportTls = session.Tls };
    }
}
