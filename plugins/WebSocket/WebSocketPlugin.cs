using Microsoft.Extensions.Logging;
using Nats.Core.Config;
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
/// The kernel has no entry point yet to serve a client over an arbitrary stream, so with a
/// port configured the plugin refuses to start rather than silently not listening.
/// Fields: set in Configure, then <see cref="_policy"/> is swapped whole by reloads (any thread reads it).
/// </remarks>
[ServerPlugin("websocket", Order = 200)]
public sealed class WebSocketPlugin : IServerPlugin, IReloadHook<WebSocketOptions>
{
    /// <summary>The name of the websocket TLS set in <see cref="IServerContext.Tls"/>.</summary>
    public const string TlsName = "websocket";

    /// <summary>What start says while the kernel cannot take clients over a stream.</summary>
    public const string NotWiredMessage = "websocket listener not wired yet";

    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<WebSocketOptions> _section = null!;
    private volatile HandshakePolicy _policy = new(WebSocketOptions.None);

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
        _policy = new HandshakePolicy(options);
        if (options.Enabled && options.Tls is { IsEnabled: true } tls)
        {
            context.Tls.Set(TlsName, tls);   // loads and checks the certificate now
        }
        context.Monitoring.AddVarzContributor(varz => varz.WebSocket = WebSocketVarz.From(_section.Current));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_section.Current.Enabled)
        {
            throw new InvalidOperationException(NotWiredMessage);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Validate(WebSocketOptions current, WebSocketOptions proposed, ReloadValidation validation)
    {
        var tlsChanges = WebSocketReloadRules.Check(current, proposed, validation);
        if (tlsChanges && proposed.Enabled && proposed.Tls is { IsEnabled: true } tls)
        {
            try
            {
                _context.Tls.Validate(tls);
                validation.Changed("websocket.tls");
            }
            catch (ConfigException e)
            {
                validation.Reject("websocket.tls", e.Message);
            }
        }
    }

    /// <inheritdoc />
    public void Apply(WebSocketOptions current, WebSocketOptions proposed)
    {
        if (proposed.Enabled && proposed.Tls is { IsEnabled: true } tls && !Equals(current.Tls, tls))
        {
            _context.Tls.Set(TlsName, tls);
            _logger.LogInformation("websocket: TLS certificates reloaded");
        }
        _policy = new HandshakePolicy(proposed);
    }
}
