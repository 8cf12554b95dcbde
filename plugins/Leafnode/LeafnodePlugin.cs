using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Leafnode.Config;
using Nats.Leafnode.Links;
using Nats.Leafnode.Monitoring;

namespace Nats.Leafnode;

/// <summary>
/// Leaf node connections, as nats-server's <c>leafnodes {}</c>: accepts leafs on its own port
/// (hub side, each bound to the account it authenticated for) and solicits the configured
/// remotes (leaf side, each bound to its local account), carrying interest (LS+/LS-) and
/// messages (LMSG) both ways. Serves <c>/leafz</c> and the <c>leaf</c> block of <c>/varz</c>.
/// </summary>
/// <remarks>
/// Reload (nats-server 2.14): remotes added, removed, disabled or changed; the listener's and
/// remotes' TLS; the hub's leaf authorization (connected leafs are checked again). The listener
/// address and the other settings need a restart.
/// Starts before clients and routes (<see cref="IStartsBeforeClients"/>) as nats-server starts its
/// leafnode accept loop and remotes before routing: the route INFO then already carries our
/// <c>leafnode_urls</c>, which nats-server reads only from a route's first INFO.
/// Fields: set in Configure and StartAsync on the plugin lifecycle thread.
/// </remarks>
[ServerPlugin("leafnodes", Order = 300)]
public sealed class LeafnodePlugin : IServerPlugin, IReloadHook<LeafnodeOptions>, IStartsBeforeClients
{
    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<LeafnodeOptions> _section = null!;
    // The listener's certificate set across reloads, as the websocket and MQTT listeners keep theirs.
    private ListenerTlsReload _tls = null!;
    private LeafManager? _manager;

    /// <summary>The options in force.</summary>
    public LeafnodeOptions Options => _section.Current;

    /// <summary>The running manager (null before start or without a leafnodes block).</summary>
    public LeafManager? Manager => _manager;

    /// <summary>The port the leaf listener bound (0 when not listening).</summary>
    public int Port => _manager?.Port ?? 0;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("leafnode");
        _section = context.Config.Bind("leafnodes", section => LeafnodeOptionsParser.Parse(section, context.Server.Options), this);
        var options = _section.Current;
        _tls = new ListenerTlsReload(context.Tls, LeafManager.ListenerTlsSet, "leafnodes", _logger);
        _tls.Install(options.Tls, options.IsListening);   // loads and checks the certificate now
        if (options.IsEnabled)
        {
            _manager = new LeafManager(context, options, _logger);
            context.AddInterestObserver(_manager);
            // gnatsd_leafz_* on /metrics (prometheus-nats-exporter's leafz collector).
            LeafMetrics.Register(context.Server.Metrics, () => _manager);
        }
        context.Monitoring.AddJsonTypes(LeafMonitoringJsonContext.Default);
        context.Monitoring.Register("/leafz", request => Leafz.Build(_context.Server, _manager, request), "Leaf nodes");
        context.Monitoring.AddVarzContributor(varz =>
        {
            varz.Leaf = LeafVarz.From(_section.Current, _manager);
            varz.Leafnodes = _manager?.Connections.Count() ?? 0;
        });
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _manager?.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Validate(LeafnodeOptions current, LeafnodeOptions proposed, ReloadValidation validation)
    {
        if (_manager is null && proposed.IsEnabled)
        {
            validation.Reject("leafnodes", "leafnodes cannot be added at the moment, try again after a restart");
            return;
        }
        if (_manager is not null && !proposed.IsEnabled)
        {
            validation.Reject("leafnodes", "removing the leafnodes block needs a restart");
            return;
        }
        if (_manager is not null)
        {
            // The listener's block matters only where there is a listener (its port cannot change on a reload).
            if (current.IsListening)
            {
                _tls.Validate(current.Tls, proposed.Tls, proposed.IsListening, validation);
            }
            LeafManager.Validate(current, proposed, validation, _context);
        }
    }

    /// <inheritdoc />
    public void Apply(LeafnodeOptions current, LeafnodeOptions proposed)
    {
        _tls.Apply(current.Tls, proposed.Tls, proposed.IsListening);
        // Reloads are rare: wait (bounded) for removed remotes to stop and leafs to be checked again.
        _manager?.ApplyAsync(proposed).Wait(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => _manager?.StopAsync() ?? Task.CompletedTask;
}
