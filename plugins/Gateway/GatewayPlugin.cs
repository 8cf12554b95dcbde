using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Gateway.Config;

namespace Nats.Gateway;

/// <summary>
/// Gateways, as nats-server's <c>gateway {}</c> block: joins this cluster to others into a
/// super-cluster. Binds and validates the section (reloadable per nats-server's rules: TLS only),
/// installs the TLS sets (the block's as <c>gateway</c>, a remote's own as <c>gateway.&lt;name&gt;</c>),
/// reserves the <c>_GR_.</c> reply prefix, and runs the <see cref="GatewayManager"/>.
/// </summary>
/// <remarks>
/// Starts before clients and routes (as nats-server starts gateways before routing): our route
/// INFO must carry <c>gateway_url</c> from the first one, which is the only one nats-server reads.
/// Fields: set in Configure and StartAsync (the host's thread); the manager is then shared.
/// </remarks>
[ServerPlugin("gateway", Order = 150)]
public sealed class GatewayPlugin : IServerPlugin, IReloadHook<GatewayOptions>, IStartsBeforeClients
{
    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<GatewayOptions> _section = null!;
    private GatewayManager? _manager;

    /// <summary>The options in force.</summary>
    public GatewayOptions Options => _section.Current;

    /// <summary>The port the gateway listener bound (0 when not listening).</summary>
    public int Port => _manager?.Port ?? 0;

    /// <summary>Shortens nats-server's 1 s delays (first dial, between rounds) for tests; set before the server starts.</summary>
    public TimeSpan? DialDelay { get; set; }

    internal GatewayManager? Manager => _manager;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("gateway");
        _section = context.Config.Bind("gateway", GatewayOptionsParser.Parse, this);
        var options = _section.Current;
        if (!options.Enabled)
        {
            return;
        }
        InstallTls(options);
        context.Server.ReserveReplyPrefix("_GR_.");
        context.Server.ReserveReplyPrefix("$GR.");
        // As nats-server's hasGWRoutedReplyPrefix: clients cannot publish into routed replies.
        context.Server.ReservePublishPrefix("_GR_.");
        _manager = new GatewayManager(context.Server, options, _logger)
        {
            SolicitDelay = DialDelay ?? TimeSpan.FromSeconds(1),
            ConnectDelay = DialDelay ?? TimeSpan.FromSeconds(1),
        };
        context.AddInterestObserver(_manager);
        _manager.SeedInterest();
        GatewayMonitoring.Register(context, _manager);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _manager?.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _manager?.Stop();
        return Task.CompletedTask;
    }

    /// <summary>nats-server reloads only the gateway TLS (the block's and each remote's); anything else is refused.</summary>
    public void Validate(GatewayOptions current, GatewayOptions proposed, ReloadValidation validation)
    {
        if (current with { Tls = null, Gateways = [] } != proposed with { Tls = null, Gateways = [] } ||
            !current.Gateways.Select(g => g with { Tls = null }).SequenceEqual(proposed.Gateways.Select(g => g with { Tls = null })))
        {
            validation.NotReloadable("Gateway", Describe(current), Describe(proposed));
            return;
        }
        foreach (var tls in TlsOf(proposed).Select(t => t.Options).OfType<TlsOptions>())
        {
            try
            {
                _context.Tls.Validate(tls);
            }
            catch (ConfigException e)
            {
                validation.Reject("gateway.tls", e.Message);
                return;
            }
        }
        if (!Equals(current, proposed))
        {
            validation.Changed("gateway.tls");
        }
    }

    /// <summary>New handshakes (explicit and implicit remotes, inbound) use the new certificates.</summary>
    public void Apply(GatewayOptions current, GatewayOptions proposed)
    {
        if (!proposed.Enabled)
        {
            return;
        }
        InstallTls(proposed);
        _manager?.UpdateOptions(proposed);
        GatewayLog.TlsReloaded(_logger);
    }

    private void InstallTls(GatewayOptions options)
    {
        foreach (var (name, tls) in TlsOf(options))
        {
            _context.Tls.Set(name, tls);
        }
    }

    private static IEnumerable<(string Name, TlsOptions? Options)> TlsOf(GatewayOptions options)
    {
        yield return (GatewayManager.TlsSetName, options.Tls);
        foreach (var remote in options.Gateways.Where(g => g.Name != options.Name))
        {
            yield return (GatewayManager.RemoteTlsSetName(remote.Name), remote.Tls);
        }
    }

    private static string Describe(GatewayOptions options) =>
        $"{{Name:{options.Name} Host:{options.Host} Port:{options.Port} Username:{options.Username} AuthTimeout:{options.AuthTimeout?.TotalSeconds ?? 0} " +
        $"Advertise:{options.Advertise} ConnectRetries:{options.ConnectRetries} RejectUnknown:{options.RejectUnknown} " +
        $"Gateways:[{string.Join(" ", options.Gateways.Select(g => $"{g.Name}:{string.Join(",", g.Urls.Select(u => $"{u.Host}:{u.Port}"))}"))}]}}";
}
