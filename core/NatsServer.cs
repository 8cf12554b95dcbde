using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Security;
using Nats.Core.Subjects;
using Nats.Core.Cluster;
using Nats.Core.Metrics;
using Nats.Core.Security.Tls;

namespace Nats.Core;

/// <summary>
/// A NATS server. Construct it with options, then <see cref="StartAsync"/>; this is the whole
/// of embedding it in a .NET process. The stock host executable does the same plus CLI,
/// config files, plugin discovery and signals.
/// </summary>
/// <example>
/// <code>
/// await using var server = new NatsServer(new ServerOptions { Port = 4222 });
/// await server.StartAsync();
/// // clients connect to server.ClientUrl
/// </code>
/// </example>
/// <remarks>
/// All its state is declared in this file, each field with the thread that writes it; the
/// code is split by concern: clients and reserved prefixes (.Clients.cs), accounts
/// (.Accounts.cs), clustering and connect_urls (.Cluster.cs), route INFO fields
/// (.RouteInfo.cs), advertised URL fields (.AdvertisedUrls.cs), plugins (.Plugins.cs),
/// listeners of plugins (.Listeners.cs), stream acceptors (.StreamAcceptors.cs), the heartbeat
/// (.Heartbeat.cs), lame duck (.LameDuck.cs), reload (.Reload.cs), TLS (.Tls.cs), monitoring
/// (.Monitoring.cs) and $SYS services (.SystemServices.cs).
/// </remarks>
public sealed partial class NatsServer : IAsyncDisposable
{
    // The server's state, all of it, with the thread that writes each. "Start" and "stop" are
    // the threads running StartAsync and ShutdownAsync; "reload" runs Reload under _reloadLock;
    // "accept" threads run new connections; "route" threads are routes' read loops; "plugins"
    // write from their Configure or StartAsync; "heartbeat" is the timer thread.

    // Lifecycle: 0 new, 1 running, 2 stopping, 3 stopped (Interlocked, any thread).
    private int _state;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _lameDuck; // set once by the lame duck thread; read by accept threads

    // Connections: clients added by accept threads and plugins' ServeClientAsync, removed by
    // their closing thread; links (routes and plugin links) added and removed by their read
    // loops; both read by the heartbeat, monitoring, reload and lame duck.
    private readonly ConcurrentDictionary<ulong, ClientConnection> _clients = new();
    private readonly ConcurrentDictionary<ulong, LinkConnection> _links = new();
    // Links listed with their account's connections (leafs, .Links.cs): their owners list and
    // unlist them; monitoring reads.
    private readonly ConcurrentDictionary<ulong, ListedLink> _listedLinks = new();
    private long _nextClientId; // Interlocked by accept threads and plugins
    private const int MaxClosedConnections = 10_000;
    private readonly ClosedConnectionLog _closed = new(MaxClosedConnections); // closing threads, under its own lock
    private ConnectionListener? _clientListener; // start; stopped by lame duck or stop

    // Options and authorization: replaced whole by reload, read lock-free by every thread.
    private volatile ServerOptions _options;
    private readonly ConfigBus _bus;
    private volatile AuthService _auth = null!;
    private readonly Lock _reloadLock = new();
    // The options a reload is parsing sections for, so the tls section sees the proposed
    // command-line flags (the bus's parse functions only receive their section): reload only.
    private ServerOptions? _optionsBeingReloaded;
    private TlsStore _tlsStore = null!; // constructor
    private volatile bool _allowNonTls; // start and reload (the allow_non_tls section's hook)
    // Created at start, not construction: it owns a dedicated thread, which a server whose
    // configuration fails in the constructor (or that never starts) must not leak.
    private BcryptWorker? _bcrypt;

    // Client INFO: replaced whole under _infoLock by whoever changes it (start, route gossip,
    // reload, lame duck, plugins); read lock-free by every connection that sends INFO.
    private volatile ServerInfo _info = null!;
    private readonly Lock _infoLock = new();
    // Plugins' client INFO fields (SetClientInfoField), under _infoLock; kept for INFO built at start.
    private SortedDictionary<string, System.Text.Json.JsonElement> _clientInfoFields = new(StringComparer.Ordinal);
    // Set by the JetStream plugin (possibly before the first INFO is built), under _infoLock; read when INFO is built.
    private (bool Enabled, string? Domain) _jetStreamInfo;
    private volatile IReadOnlyDictionary<string, string> _jetStreamDefaultDomains = new Dictionary<string, string>(StringComparer.Ordinal);

    // Reserved prefixes, copy-on-write: swapped whole under _clients by their owners (plugins),
    // read on every client's publish (with a reply, or to a reserved subject).
    private volatile byte[][] _reservedReplies = [];
    private volatile byte[][] _reservedSubjects = [];

    // Plugins and what they registered: written before start by the configuring thread
    // (AddPlugin and its Configure), then read by start and stop.
    private readonly List<AddedPlugin> _plugins = [];
    private readonly List<AddedPlugin> _startedPlugins = []; // start, then stop
    private readonly List<IAuthenticator> _pluginAuthenticators = []; // before start only
    private readonly List<IInterestObserver> _interestObservers = []; // under itself: plugins add, any thread snapshots
    // Copy-on-write: written by plugins (Configure/Start), read on every route's read loop.
    private volatile IRouteInfoHandler[] _routeInfoHandlers = [];
    // Under itself: plugin fields of our route INFO (nats-server's gateway_url), written by
    // plugins, read by route threads when an INFO is built.
    private readonly Dictionary<string, System.Text.Json.JsonElement> _routeInfoFields = new(StringComparer.Ordinal);
    // Who serves connections of a kind arriving over another plugin's transport (a leaf over a
    // WebSocket): written by plugins (Configure, StartAsync, StopAsync), read by transports' accept tasks.
    private readonly ConcurrentDictionary<ConnectionKind, Func<AcceptedStream, Task>> _streamAcceptors = new();
    // Listeners plugins reported (AddListenerAddress), in the order they came; under itself.
    // Written by plugins (from their StartAsync, usually), read by the host writing the ports file.
    private readonly List<ListenerAddress> _pluginListenerAddresses = [];

    // Clustering: _routes set once at start, then read-only.
    private RouteManager? _routes;
    // Peers' client URLs for connect_urls, counted per URL, under itself: route threads.
    private readonly Dictionary<string, int> _clusterClientUrls = new(StringComparer.Ordinal);
    // This server's own client URLs: worked out on first use by any thread (idempotent).
    private IReadOnlyList<string>? _ownClientUrls;
    private long _connectUrlsUpdated; // Interlocked: route threads write, clients' first PING reads

    // Advertised URL fields (ws_connect_urls…), all under _advertisedLock: written by the plugin
    // that advertises and by route threads, read (through _advertisedViews, swapped whole) by
    // any client's thread building its INFO.
    private readonly object _advertisedLock = new();
    // field → this server's own URLs for it.
    private readonly Dictionary<string, IReadOnlyList<string>> _ownAdvertised = new(StringComparer.Ordinal);
    // peer server id → field → the URLs that peer advertised in its route INFO.
    private readonly Dictionary<string, Dictionary<string, IReadOnlyList<string>>> _peerAdvertised = new(StringComparer.Ordinal);
    // field → the list clients get: empty until a peer contributed, then own URLs first, then the peers'.
    private volatile Dictionary<string, IReadOnlyList<string>> _advertisedViews = new(StringComparer.Ordinal);

    /// <summary>
    /// Raised after the cluster's list for one or more advertised fields changed (a peer
    /// advertised, changed or withdrew URLs; see <see cref="GetAdvertisedUrls"/>), with the
    /// names of those fields, after clients got their asynchronous INFO. Links that carry such
    /// URLs in their own INFO subscribe here: the Leafnode plugin re-sends its leaf INFO when
    /// <c>ws_connect_urls</c> changes, so a WebSocket leaf learns of new servers to fail over to.
    /// </summary>
    /// <remarks>Raised on the thread that changed the list (a route's read loop): handlers only queue.</remarks>
    public event Action<IReadOnlyCollection<string>>? AdvertisedUrlsChanged;

    // The heartbeat timer: created by start, re-timed by reload, disposed by stop.
    private Timer? _heartbeat;
    private int _heartbeatRunning; // Interlocked by timer callbacks: one tick at a time
    private long _heartbeatSkipped; // Interlocked: ticks skipped while one ran, reported by the slow-tick line
    private long _lastReplyPrune; // heartbeat only

    // Monitoring and $SYS services: created on first use by any thread (CompareExchange), then fixed.
    private MonitoringServer? _monitoring;
    private NatsMetrics? _metrics;
    private SystemServices.SystemServiceHost? _systemServices;
    private long _configLoadTicks; // Interlocked: start and reload write, /varz reads
    // Set by the host before start; read by the RELOAD request's thread.
    private volatile Func<Task<ReloadResult>>? _configurationReloader;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public NatsServer(ServerOptions options, ILoggerFactory? loggerFactory = null)
    {
        _options = options;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger("Nats.Server");
        ClientLogger = LoggerFactory.CreateLogger("Nats.Client");
        ServerId = NKeyPair.Create(NKeyPrefix.Server).PublicKey;
        Name = string.IsNullOrEmpty(options.ServerName) ? ServerId : options.ServerName;
        Accounts = AccountRegistry.Build(options.Auth, !options.DisableSublistCache);
        Router = new MessageRouter(this);
        Events = new ServerEvents(Logger);
        _bus = new ConfigBus(options.Sections, options.Auth.Accounts);
        FollowAccountChanges();
        CreateTlsStore();
    }

    /// <summary>The config bus: the kernel and plugins bind their sections here.</summary>
    public IConfigBus Config => _bus;

    /// <summary>The server id: a fresh server nkey public key, as nats-server uses.</summary>
    public string ServerId { get; }

    /// <summary>The server name (<c>server_name</c>, defaulting to the id).</summary>
    public string Name { get; }

    /// <summary>When the server started.</summary>
    public DateTime StartTime { get; private set; }

    /// <summary>The client port actually bound (useful with port -1 / random); set by start.</summary>
    public int Port { get; private set; }

    /// <summary>
    /// Held while a closing connection's delivery counts move from the live connection to
    /// the closed totals, and while monitoring adds the two up.
    /// </summary>
    internal Lock ConnectionTotalsLock { get; } = new();

    /// <summary>The options in force (replaced as a whole by a reload).</summary>
    public ServerOptions Options => _options;

    /// <summary>The accounts.</summary>
    public AccountRegistry Accounts { get; }

    /// <summary>The authenticator chain in force.</summary>
    public AuthService Auth => _auth;

    /// <summary>Where messages and interest enter routing: publish with an origin, add and remove subscriptions.</summary>
    public MessageRouter Router { get; }

    /// <summary>
    /// Server-wide events (clients connected and closed, lame duck, reload, the heartbeat tick)
    /// that plugins and the kernel's routes subscribe to. Fixed at construction.
    /// </summary>
    public ServerEvents Events { get; }

    /// <summary>Server-wide message counters.</summary>
    public ServerStatistics Statistics { get; } = new();

    /// <summary>The INFO snapshot clients receive.</summary>
    public ServerInfo Info => _info;

    /// <summary>The logger factory everything logs through.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Fires when the server begins shutting down.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>Open client connections.</summary>
    public ICollection<ClientConnection> Clients => _clients.Values;

    /// <summary>Links that are running (routes, gateways, leafs, plugin links), for monitoring.</summary>
    public ICollection<LinkConnection> Links => _links.Values;

    /// <summary>True between a successful start and the beginning of shutdown.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    internal ILogger Logger { get; }

    internal ILogger ClientLogger { get; }

    /// <summary>Bounds the lines a misbehaving peer can repeat (any thread; see <see cref="Logging.LogLimits"/>).</summary>
    internal Logging.LogLimits LogLimits { get; } = new();

    /// <summary>
    /// Adds an authenticator to the chain (after the built-in schemes). Call before
    /// <see cref="StartAsync"/>; plugins do this from their Configure step.
    /// </summary>
    public void AddAuthenticator(IAuthenticator authenticator)
    {
        EnsureNotStarted();
        _pluginAuthenticators.Add(authenticator);
    }

    /// <summary>
    /// A client connection inside this process, in <paramref name="account"/> (the global
    /// account when null): publish, subscribe and request through subjects.
    /// </summary>
    public IInProcessConnection ConnectInProcess(Account? account = null) =>
        new InProcessConnection(this, account ?? Accounts.Global);

    /// <summary>Registers an observer of local interest changes (routes, link plugins).</summary>
    public void AddInterestObserver(IInterestObserver observer)
    {
        lock (_interestObservers)
        {
            _interestObservers.Add(observer);
        }
    }

    /// <summary>
    /// Starts listening, then starts the plugins (<see cref="AddPlugin"/>). Completes when
    /// clients can connect.
    /// </summary>
    /// <exception cref="PluginException">A plugin failed to start; the server has shut down again.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }
        StartTime = DateTime.UtcNow;
        var options = _options;
        _bcrypt = new BcryptWorker();
        _auth = CreateAuthService(options.Auth);
        LogStartup(options);
        StartTls(options);
        await StartPluginsOrShutdownAsync(beforeClients: true, cancellationToken).ConfigureAwait(false);
        // What a joining member does after its client port opens is on the clock until the
        // cluster's clients learn its URL (issue 18): what needs no network comes first. The
        // heartbeat's timer is the process's first, so creating it starts the runtime's timer
        // thread (milliseconds on a busy machine, the thread start waits to be scheduled), which
        // the first route dial's timeout paid otherwise.
        StartHeartbeat();
        PrepareCluster(options);
        StartClientListener(options);
        // As nats-server: routes are dialled once the client port is ready.
        StartCluster();
        StartSystemServices();
        await StartMonitoringAsync(options, cancellationToken).ConfigureAwait(false);
        await StartPluginsOrShutdownAsync(beforeClients: false, cancellationToken).ConfigureAwait(false);
        ServerLog.Ready(Logger);
    }

    private async Task StartPluginsOrShutdownAsync(bool beforeClients, CancellationToken cancellationToken)
    {
        try
        {
            await StartPluginsAsync(beforeClients, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A plugin that cannot start stops the server: nothing half-running stays behind.
            await ShutdownAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the server has shut down.</summary>
    public Task WaitForShutdownAsync() => _stopped.Task;

    /// <summary>Stops listening, closes every connection, and releases resources.</summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) >= 2)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }
        ServerLog.ShuttingDown(Logger);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        StopClientListener();
        // While routes are up, so the rest of the cluster hears it.
        await AnnounceShutdownToSystemAsync().ConfigureAwait(false);
        // Plugins stop while the kernel still runs, so they can drain through it.
        await StopPluginsAsync().ConfigureAwait(false);
        await StopSystemServicesAsync().ConfigureAwait(false);
        StopCluster();
        StopHeartbeat();
        foreach (var client in _clients.Values)
        {
            client.Close(ClosedReason.ServerShutdown);
        }
        await StopMonitoringAsync().ConfigureAwait(false);
        StopTls();
        _bcrypt?.Dispose();
        Volatile.Write(ref _state, 3);
        // What the process allocated over its life: divided by the messages it moved, this
        // shows the hot path allocates nothing per message (see the benchmark notes).
        ServerLog.GcTotals(
            Logger, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        ServerLog.Exiting(Logger);
        _stopped.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            await ShutdownAsync().ConfigureAwait(false);
        }
        DisposeMetrics();
        _shutdown.Dispose();
    }

    internal void OnSubscriptionAdded(Account account, Subscription subscription)
    {
        foreach (var observer in InterestObservers())
        {
            observer.OnSubscriptionAdded(account, subscription);
        }
    }

    internal void OnSubscriptionRemoved(Account account, Subscription subscription)
    {
        foreach (var observer in InterestObservers())
        {
            observer.OnSubscriptionRemoved(account, subscription);
        }
    }

    internal void OnQueueWeightChanged(Account account, Subscription subscription, int oldWeight)
    {
        foreach (var observer in InterestObservers())
        {
            observer.OnQueueWeightChanged(account, subscription, oldWeight);
        }
    }

    private IInterestObserver[] InterestObservers()
    {
        lock (_interestObservers)
        {
            return _interestObservers.Count == 0 ? [] : [.. _interestObservers];
        }
    }

    private ServerInfo BuildInfo(ServerOptions options) => new()
    {
        ServerId = ServerId,
        ServerName = Name,
        Version = ServerVersion.CompatibleNatsVersion,
        Proto = ServerVersion.Protocol,
        Host = options.Host,
        Port = Port,
        Headers = !options.NoHeaderSupport,
        // With a no_auth_user, clients need not authenticate: nats-server says so in INFO.
        AuthRequired = _auth.IsAuthRequired && !_auth.HasNoAuthUser,
        MaxPayload = options.MaxPayload,
        Cluster = options.Cluster.Name,
        JetStream = _jetStreamInfo.Enabled,
        Domain = _jetStreamInfo.Domain,
        PluginFields = _clientInfoFields,
    };

    /// <summary>
    /// Adds a field to the INFO clients receive (a plugin's <c>ws_connect_urls</c>, a feature
    /// flag), or removes it (<paramref name="value"/> null). Clients connecting afterwards see
    /// it, and so does every later INFO sent to connected clients (cluster changes, lame duck).
    /// Callable before and after start, from any thread.
    /// </summary>
    /// <param name="name">The JSON field name; not one the kernel writes itself (<c>server_id</c>, <c>jetstream</c>, …).</param>
    /// <param name="value">Its value, or null to stop sending it.</param>
    /// <exception cref="ArgumentException">The kernel owns <paramref name="name"/>.</exception>
    /// <example><code>server.SetClientInfoField("seams", JsonSerializer.SerializeToElement(new { version = 1 }));</code></example>
    public void SetClientInfoField(string name, System.Text.Json.JsonElement? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (ServerInfo.IsKernelField(name))
        {
            throw new ArgumentException($"client INFO field \"{name}\" belongs to the kernel", nameof(name));
        }
        lock (_infoLock)
        {
            var fields = new SortedDictionary<string, System.Text.Json.JsonElement>(_clientInfoFields, StringComparer.Ordinal);
            if (value is { } set)
            {
                fields[name] = set.Clone();
            }
            else if (!fields.Remove(name))
            {
                return;
            }
            _clientInfoFields = fields;
            if (_info is not null)
            {
                _info = _info with { PluginFields = fields };
            }
        }
    }

    /// <summary>
    /// Sets what INFO tells clients about JetStream (<c>jetstream</c>, <c>domain</c>), as
    /// nats-server does once JetStream is enabled on the server; the JetStream plugin calls it
    /// when it enables or disables JetStream. Clients connecting afterwards see the change.
    /// </summary>
    /// <param name="enabled">Whether JetStream is available on this server.</param>
    /// <param name="domain">The JetStream domain, or null.</param>
    public void SetJetStreamInfo(bool enabled, string? domain = null)
    {
        lock (_infoLock)
        {
            _jetStreamInfo = (enabled, enabled && !string.IsNullOrEmpty(domain) ? domain : null);
            if (_info is not null)
            {
                _info = _info with { JetStream = _jetStreamInfo.Enabled, Domain = _jetStreamInfo.Domain };
            }
        }
    }

    /// <summary>
    /// nats-server's <c>default_js_domain</c>: account name → the JetStream domain its requests
    /// go to (empty: the local, domain-less JetStream of a leaf's hub, kept for old setups). The
    /// JetStream plugin, which owns the key, sets it; leaf links read it for their JetStream
    /// denies (<c>addLeafNodeConnection</c>). Empty when not configured.
    /// </summary>
    public IReadOnlyDictionary<string, string> JetStreamDefaultDomains => _jetStreamDefaultDomains;

    /// <summary>Sets <see cref="JetStreamDefaultDomains"/> (the JetStream plugin, at configuration and reload).</summary>
    public void SetJetStreamDefaultDomains(IReadOnlyDictionary<string, string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _jetStreamDefaultDomains = new Dictionary<string, string>(domains, StringComparer.Ordinal);
    }

    /// <summary>Replaces the INFO snapshot (cluster membership, lame duck…).</summary>
    internal void UpdateInfo(Func<ServerInfo, ServerInfo> change)
    {
        // Serialized: two threads changing different fields (gossip and a reload, say) must not
        // each start from the same snapshot and lose the other's change.
        lock (_infoLock)
        {
            _info = change(_info);
        }
    }

    private void LogStartup(ServerOptions options)
    {
        ServerLog.Starting(Logger);
        ServerLog.Version(Logger, ServerVersion.Product, ServerVersion.CompatibleNatsVersion, Environment.Version);
        ServerLog.Name(Logger, Name);
        ServerLog.Id(Logger, ServerId);
        if (options.ConfigFile is not null)
        {
            ServerLog.ConfigFile(Logger, options.ConfigFile);
        }
    }

    /// <summary>
    /// The authenticator chain for <paramref name="auth"/> (the server's, or a plugin
    /// listener's own <c>authorization</c> block for <see cref="ClientListenerOptions.Auth"/>),
    /// with the plugins' authenticators after the built-in schemes. Clients on a
    /// <c>verify_and_map</c> client port are mapped from their certificate; the check is live, so
    /// a reload of <c>tls</c> switches mapping on or off without rebuilding the chain.
    /// Available once the server started.
    /// </summary>
    public AuthService CreateAuthService(AuthOptions auth) =>
        new(auth, _pluginAuthenticators, _bcrypt!,
            context => ReferenceEquals(context.Kind, ConnectionKind.Client) && _tlsStore.Get(Security.Tls.TlsStore.ClientSet)?.VerifyAndMap == true);

    private void EnsureNotStarted()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new InvalidOperationException("This must be done before the server starts.");
        }
    }
}
