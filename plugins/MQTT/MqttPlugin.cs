using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Mqtt.Config;
using Nats.Mqtt.Sessions;

namespace Nats.Mqtt;

/// <summary>
/// MQTT 3.1.1 and 5 on the NATS subject space, as nats-server's <c>mqtt {}</c> listener. Binds
/// and validates the section (reloadable per nats-server's rules), installs its TLS set under
/// <see cref="TlsName"/>, fills <c>/varz</c>'s <c>mqtt</c> block and, with a port, runs the
/// listener: each MQTT client is a kernel client of kind <c>mqtt</c> (the server's users,
/// accounts and permissions apply), its sessions kept in JetStream over <c>$JS.API</c>.
/// </summary>
/// <remarks>Fields: set in Configure and StartAsync; the options are read through the bound section (reloads swap it).</remarks>
[ServerPlugin("mqtt", Order = 250)]
public sealed class MqttPlugin : IServerPlugin, IReloadHook<MqttOptions>
{
    /// <summary>The name of the MQTT TLS set in <see cref="IServerContext.Tls"/>.</summary>
    public const string TlsName = "mqtt";

    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<MqttOptions> _section = null!;
    private ListenerTlsReload _tls = null!;
    private MqttListener? _listener;
    private IDisposable? _webSocket;
    private MqttRuntime? _runtime;

    /// <summary>The options in force.</summary>
    public MqttOptions Options => _section.Current;

    /// <summary>The port the listener bound (0 when not listening).</summary>
    public int Port => _listener?.Port ?? 0;

    /// <summary>What the connections share (for tests: the accounts' MQTT state).</summary>
    internal MqttRuntime? Runtime => _runtime;

    /// <summary>MQTT connections open now.</summary>
    public int ConnectionCount => _runtime?.ConnectionCount ?? 0;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("mqtt");
        _section = context.Config.Bind("mqtt", section => MqttOptionsParser.Parse(section, context.Server.Options), this);
        var options = _section.Current;
        _tls = new ListenerTlsReload(context.Tls, TlsName, "mqtt", _logger);
        _tls.Install(options.Tls, options.Enabled);
        context.Monitoring.AddJsonTypes(MqttMonitoringJsonContext.Default);
        context.Monitoring.AddVarzContributor(varz =>
        {
            if (_section.Current.Enabled)
            {
                varz.Mqtt = MqttVarz.From(_section.Current, _listener?.Port is > 0 and var port ? port : null);
            }
        });
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _section.Current;
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }
        var server = _context.Server;
        // TLS runs below the MQTT framing, in the listener: none for the kernel client.
        var kernelOptions = options.Auth.ToClientListenerOptions(server, logPrefix: "mqtt");
        _runtime = new MqttRuntime(server, () => _section.Current, kernelOptions, _logger, _context);
        _listener = new MqttListener(_runtime, _context.Tls, _logger);
        _listener.Start(options);
        _context.AddListenerAddress(new ListenerAddress("mqtt", options.Tls is { IsEnabled: true } ? "tls" : "mqtt", options.EffectiveHost, _listener.Port));
        // MQTT over WebSocket: the websocket listener hands /mqtt upgrades here.
        var listener = _listener;
        _webSocket = server.RegisterStreamAcceptor(ConnectionKind.Mqtt, listener.ServeStreamAsync);
        // Sessions that ended or expired while the server was down go now (in the background).
        var runtime = _runtime;
        _ = Task.Run(runtime.OpenExistingAccountsAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Stop();
        _webSocket?.Dispose();
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Validate(MqttOptions current, MqttOptions proposed, ReloadValidation validation)
    {
        MqttReloadRules.Check(current, proposed, validation);
        _tls.Validate(current.Tls, proposed.Tls, proposed.Enabled, validation);
    }

    /// <inheritdoc />
    public void Apply(MqttOptions current, MqttOptions proposed) => _tls.Apply(current.Tls, proposed.Tls, proposed.Enabled);
}
