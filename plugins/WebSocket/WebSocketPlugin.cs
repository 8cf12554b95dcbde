using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.WebSocket.Config;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket;

/// <summary>
/// NATS over WebSocket, as nats-server's <c>websocket {}</c> listener. Binds and validates the
/// section (reloadable per nats-server's rules: the TLS certificates only), installs its TLS
/// set under <see cref="TlsName"/>, fills <c>/varz</c>'s <c>websocket</c> block, and offers
/// the handshake (<see cref="WebSocketHandshake"/>) and framing
/// (<see cref="Framing.WebSocketStream"/>) a listener runs clients over.
/// </summary>
/// <remarks>
/// With a port, <see cref="StartAsync"/> opens the listener (<see cref="WebSocketListener"/>):
/// upgraded clients run the kernel's client protocol as <c>websocket</c> clients.
/// Fields: set in Configure and StartAsync; <see cref="_policy"/> is swapped whole by reloads (any thread reads it).
/// </remarks>
[ServerPlugin("websocket", Order = 200)]
public sealed class WebSocketPlugin : IServerPlugin, IReloadHook<WebSocketOptions>
{
    /// <summary>The name of the websocket TLS set in <see cref="IServerContext.Tls"/>.</summary>
    public const string TlsName = "websocket";

    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<WebSocketOptions> _section = null!;
    private ListenerTlsReload _tls = null!;
    private volatile HandshakePolicy _policy = new(WebSocketOptions.None);
    private WebSocketListener? _listener;

    /// <summary>The options in force.</summary>
    public WebSocketOptions Options => _section.Current;

    /// <summary>The handshake policy in force (replaced by a reload).</summary>
    public HandshakePolicy Policy => _policy;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("websocket");
        _section = context.Config.Bind("websocket", section => WebSocketOptionsParser.Parse(section, context.Server.Options), this);
        var options = _section.Current;
        _policy = new HandshakePolicy(options, MqttServed);
        _tls = new ListenerTlsReload(context.Tls, TlsName, "websocket", _logger);
        _tls.Install(options.Tls, options.Enabled);   // loads and checks the certificate now
        if (options.Enabled && options.Port > 0)
        {
            // Known before routes start, so even a nats-server peer (which reads only a route's
            // first INFO) learns our websocket URLs; a random port is advertised once bound.
            context.Server.AdvertiseUrls(WebSocketListener.ConnectUrlsField, Nats.Core.NatsServer.ConnectUrlsFor(options.Advertise, options.EffectiveHost, options.Port));
        }
        context.Monitoring.AddJsonTypes(WebSocketMonitoringJsonContext.Default);
        context.Monitoring.AddVarzContributor(varz =>
        {
            varz.WebSocket = WebSocketVarz.From(_section.Current, _listener?.Port is > 0 and var port ? port : null);
            var urls = context.Server.GetAdvertisedUrls(WebSocketListener.ConnectUrlsField);
            varz.WebSocketConnectUrls = urls.Count > 0 ? urls : null;
        });
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _section.Current;
        if (options.Enabled)
        {
            var server = _context.Server;
            var acceptor = new WebSocketAcceptor(() => _policy, _context.Tls, () => server.Options.MaxPayload, _logger);
            _listener = new WebSocketListener(server, acceptor, options, _logger);
            var tls = options.Tls is { IsEnabled: true };
            _listener.Start(options, tls);
            _context.AddListenerAddress(new ListenerAddress("websocket", tls ? "wss" : "ws", options.EffectiveHost, _listener.Port));
            // As nats-server's lameDuckMode closes its websocket server with the client
            // listener: a browser that reconnects during lame duck mode is refused at once and
            // tries the next server. Accepted, it was upgraded only for the kernel to drop it,
            // and nats.ws waited out its connect timeout on the leaving server.
            _context.Events.LameDuckEntered += _listener.Stop;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Stop();
        return Task.CompletedTask;
    }

    /// <summary>Whether <c>/mqtt</c> upgrades have a taker: the MQTT plugin registers its stream acceptor when <c>mqtt {}</c> runs (nats-server answers 404 otherwise).</summary>
    private bool MqttServed() => _context.Server.HasStreamAcceptor(ConnectionKind.Mqtt);

    /// <summary>The port the listener bound (0 when not listening).</summary>
    public int Port => _listener?.Port ?? 0;

    /// <inheritdoc />
    public void Validate(WebSocketOptions current, WebSocketOptions proposed, ReloadValidation validation)
    {
        WebSocketReloadRules.Check(current, proposed, validation);
        _tls.Validate(current.Tls, proposed.Tls, proposed.Enabled, validation);
    }

    /// <inheritdoc />
    public void Apply(WebSocketOptions current, WebSocketOptions proposed)
    {
        _tls.Apply(current.Tls, proposed.Tls, proposed.Enabled);
        _policy = new HandshakePolicy(proposed, MqttServed);
    }
}
