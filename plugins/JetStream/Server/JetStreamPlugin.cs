using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.Core.Subjects;
using Nats.JetStream.Api;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Server;

/// <summary>
/// JetStream on the server: owns the <c>jetstream</c> block (with <c>-js</c> / <c>-sd</c> and the
/// top-level <c>store_dir</c>) and the accounts' <c>jetstream</c> key, runs one
/// <see cref="AccountHost"/> per JetStream-enabled account, sets INFO's <c>jetstream</c>, fills
/// <c>/varz</c>'s block and serves <c>/jsz</c>.
/// </summary>
/// <remarks>
/// Which accounts: with no accounts configured, the global account (as nats-server's
/// <c>globalAccountOnly</c>); otherwise those whose block says <c>jetstream: enabled</c> (or
/// limits), and those whose definition states JetStream limits (an account JWT's, applied again
/// when the JWT is updated). Never the system account (a configuration enabling it is refused at start, as
/// nats-server). Other accounts answer <c>$JS.API.INFO</c> with 10039.
/// Reload: the server block (enable, store_dir, limits, domain, sync) needs a restart; the
/// accounts' keys apply live (an account whose setting changed restarts its JetStream on the
/// same files). Fields: <c>_hosts</c> and <c>_disabled</c> are guarded by <c>_gate</c>; the
/// sections are set in Configure.
/// </remarks>
[ServerPlugin("jetstream", Order = 50)]
public sealed class JetStreamPlugin : IServerPlugin, IStartsBeforeClients
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AccountHost> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDisposable> _disabled = new(StringComparer.Ordinal);
    private IServerContext _context = null!;
    private ILogger _logger = null!;
    private IConfigSection<JetStreamBlock> _block = null!;
    private IConfigSection<TopLevelStoreDir> _storeDir = null!;
    private IConfigSection<TopLevelStoreDir> _storeDirAlias = null!;
    private IConfigSection<AccountSettings<AccountJetStream>> _accounts = null!;
    private JetStreamOptions _options = JetStreamOptions.Disabled;
    private (long Memory, long Store) _limits;

    /// <summary>The server's usage and reservations against <see cref="_limits"/>, shared by the accounts (set at start).</summary>
    private JsServerResources? _resources;
    private bool _globalOnly;
    private bool _started;
    private volatile bool _stopping;

    /// <summary>The options in force (flags applied).</summary>
    public JetStreamOptions Options => _options;

    /// <summary>The accounts JetStream runs for.</summary>
    public IReadOnlyList<string> EnabledAccounts
    {
        get
        {
            lock (_gate)
            {
                return [.. _hosts.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("jetstream");
        var restart = new RestartOnly<JetStreamBlock>("jetstream");
        _block = context.Config.Bind("jetstream", v => new JetStreamBlock(v is null ? null : Describe(v), v), restart);
        _storeDir = context.Config.Bind("store_dir", v => new TopLevelStoreDir(v?.AsString()), new RestartOnly<TopLevelStoreDir>("store_dir"));
        _storeDirAlias = context.Config.Bind("storedir", v => new TopLevelStoreDir(v?.AsString()), new RestartOnly<TopLevelStoreDir>("store_dir"));
        var defaultDomains = context.Config.Bind("default_js_domain", DefaultJsDomains.Parse);
        _accounts = context.Config.BindAccountKey("jetstream", AccountJetStream.Parse, new AccountsHook(this));

        var topLevel = _storeDir.Current.Path ?? _storeDirAlias.Current.Path;
        var options = JetStreamOptions.Parse(_block.Current.Value, null, context.Server.Options.Flags);
        if (topLevel is not null)
        {
            if (options.StoreDir.Length > 0 && context.Server.Options.Flags.StoreDir is null && _block.Current.Value is ConfMap m && m.TryGet("store_dir", out var dup))
            {
                throw new ConfigException(dup.Position, "Duplicate 'store_dir' configuration");
            }
            if (context.Server.Options.Flags.StoreDir is null && options.StoreDir.Length == 0)
            {
                options = options with { StoreDir = topLevel };
            }
        }
        _options = options;
        defaultDomains.Current.Validate(context.Accounts, JetStreamConfigured);
        defaultDomains.Current.Apply(context, JetStreamConfigured, _logger);

        context.Monitoring.AddJsonTypes(JetStreamMonitoringJsonContext.Default);
        context.Monitoring.AddVarzContributor(varz =>
        {
            if (_options.Enabled && _started)
            {
                varz.JetStream = new JetStreamVarz { Config = JetStreamMonitoring.Config(_options, _limits), Stats = JetStreamMonitoring.Stats(Hosts()) };
            }
        });
        context.Monitoring.AddHealthCheck(new JetStreamHealth(() => _options, Hosts));
        context.Monitoring.Register("/jsz", request =>
            MonitoringResponse.Json(JetStreamMonitoring.Jsz(context.Server.ServerId, _options, _limits, Hosts(), request)), "JetStream");
        if (_options.Enabled)
        {
            // jetstream_* on /metrics (prometheus-nats-exporter's jsz collector), from the same /jsz answer.
            JetStreamMetrics.Register(context.Server.Metrics, context.Server.Name, () => JetStreamMonitoring.Jsz(context.Server.ServerId, _options, _limits, Hosts(),
                new MonitoringRequest([new("consumers", "true"), new("config", "true")])));
        }
    }

    private static string Describe(ConfValue v) => v.Describe();

    private IReadOnlyList<AccountHost> Hosts()
    {
        lock (_gate)
        {
            return [.. _hosts.Values];
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }
        var dir = _options.EffectiveStoreDir;
        Directory.CreateDirectory(dir);
        _limits = (
            _options.MaxMemory >= 0 ? _options.MaxMemory : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 3 / 4,
            _options.MaxStore >= 0 ? _options.MaxStore : Math.Min(AvailableDisk(dir), 1L << 40));
        _resources = new JsServerResources(_limits.Memory, _limits.Store);
        var server = _context.Server;
        var accounts = _context.Accounts;
        if (EnablesSystemAccount(_accounts.Current))
        {
            // nats-server: Fatalf at start, the same words.
            throw new InvalidOperationException(SystemAccountRefusal);
        }
        server.ReserveReplyPrefix("$JS.ACK.");
        // Operator mode (an account resolver) is never global-only, as nats-server's trustedKeys check.
        _globalOnly = !accounts.HasResolvers && accounts.All.All(a => a.IsSystem || a.Name == AccountRegistry.GlobalAccountName);
        foreach (var account in accounts.All)
        {
            Consider(account);
        }
        accounts.AccountAdded += e => Consider(e.Account);
        accounts.AccountUpdated += OnAccountUpdated;
        accounts.AccountRemoved += e => _ = DisableAsync(e.Account.Name);
        _context.AddInterestObserver(new DeliverInterest(this));
        server.SetJetStreamInfo(true, _options.Domain);
        _context.SystemServices.SetJetStream(true, _options.Domain.Length > 0 ? _options.Domain : null);
        _started = true;
        JetStreamLog.Starting(_logger);
        JetStreamLog.StoreDirectory(_logger, dir);
        JetStreamLog.Sync(_logger, _options.Sync == Storage.SyncMode.Always ? "always (acknowledged after fdatasync)" : "every " + _options.SyncInterval);
        JetStreamLog.Accounts(_logger, string.Join(", ", EnabledAccounts));
        return Task.CompletedTask;
    }

    private const string SystemAccountRefusal = "Not allowed to enable JetStream on the system account";

    private bool EnablesSystemAccount(AccountSettings<AccountJetStream> settings) =>
        _options.Enabled && _context.Accounts.System is { } system && settings.For(system.Name) is { Enabled: true };

    private static long AvailableDisk(string dir)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(dir)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 1L << 40;
        }
    }

    /// <summary>nats-server's <c>jetStreamConfigured</c>: the account has JetStream limits (its block, or the global account alone).</summary>
    private bool JetStreamConfigured(string account) =>
        _accounts.Current.For(account) is { Enabled: true }
        || (_options.Enabled && account == AccountRegistry.GlobalAccountName && _context.Accounts.All.All(a => a.IsSystem || a.Name == AccountRegistry.GlobalAccountName));

    /// <summary>The account's JetStream settings; null when it has none.</summary>
    private AccountJetStream? SettingsFor(Account account)
    {
        if (account.IsSystem)
        {
            return null;
        }
        if (_globalOnly && account.Name == AccountRegistry.GlobalAccountName)
        {
            return new AccountJetStream(true);
        }
        return _accounts.Current.For(account.Name) is { } configured
            ? configured.Enabled ? configured : null
            : FromDefinition(account.Definition?.JetStream);
    }

    /// <summary>Limits the account's definition states (an account JWT's): JetStream on with them.</summary>
    private static AccountJetStream? FromDefinition(AccountJetStreamLimits? limits) => limits is null
        ? null
        : new AccountJetStream(true, limits.MaxMemory, limits.MaxStore, Count(limits.MaxStreams), Count(limits.MaxConsumers));

    private static int Count(long limit) => (int)Math.Clamp(limit, -1, int.MaxValue);

    /// <summary>
    /// An account JWT's update (<c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.UPDATE</c>, a resolver) that
    /// adds, changes or removes its JetStream limits enables, restarts (on the same files) or
    /// disables its JetStream, as nats-server's <c>updateAccountClaimsWithRefresh</c>.
    /// </summary>
    private void OnAccountUpdated(AccountEvent e)
    {
        var account = e.Account;
        if (_stopping || account.IsRemoved || Equals(e.Previous?.JetStream, account.Definition?.JetStream)
            || _accounts.Current.For(account.Name) is not null)
        {
            return;
        }
        Reconsider(account, SettingsFor(account));
    }

    /// <summary>Stops the account's JetStream (if any) and starts it again with <paramref name="settings"/>, or answers 10039 without.</summary>
    private void Reconsider(Account account, AccountJetStream? settings)
    {
        DisableAsync(account.Name).GetAwaiter().GetResult();
        if (settings is { Enabled: true } && !account.IsSystem)
        {
            Enable(account, settings);
        }
        else
        {
            AnswerInfoOnly(account);
        }
        JetStreamLog.AccountState(_logger, settings is { Enabled: true } ? "enabled" : "disabled", account.Name);
    }

    private void Consider(Account account)
    {
        if (!_options.Enabled || account.IsRemoved || _stopping)
        {
            return;
        }
        if (SettingsFor(account) is { } settings)
        {
            Enable(account, settings);
        }
        else
        {
            AnswerInfoOnly(account);
        }
    }

    private JsAccountOptions OptionsFor(Account account, AccountJetStream settings) => new()
    {
        StoreDirectory = Path.Combine(_options.EffectiveStoreDir, account.Name),
        Domain = _options.Domain.Length > 0 ? _options.Domain : null,
        ServerName = _context.Server.Name,
        AccountName = account.Name,
        Sync = _options.Sync,
        SyncInterval = _options.SyncInterval,
        ApiQueueLimit = _options.RequestQueueLimit,
        MaxMemory = settings.MaxMemory,
        MaxStore = settings.MaxStore,
        Server = _resources,
        MaxStreams = settings.MaxStreams,
        MaxConsumers = settings.MaxConsumers,
    };

    private void Enable(Account account, AccountJetStream settings)
    {
        lock (_gate)
        {
            if (_hosts.ContainsKey(account.Name) || _stopping)
            {
                return;
            }
            if (_disabled.Remove(account.Name, out var infoOnly))
            {
                infoOnly.Dispose();
            }
            _hosts[account.Name] = new AccountHost(_context.Server, account, OptionsFor(account, settings), _logger);
        }
    }

    private async Task DisableAsync(string name)
    {
        AccountHost? host;
        lock (_gate)
        {
            _hosts.Remove(name, out host);
            if (_disabled.Remove(name, out var infoOnly))
            {
                infoOnly.Dispose();
            }
        }
        if (host is not null)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An account without JetStream answers <c>$JS.API.INFO</c> with 10039, as nats-server's
    /// info-only import; the system account answers every API request so (<see cref="NotEnabledResponder"/>).
    /// </summary>
    private void AnswerInfoOnly(Account account)
    {
        lock (_gate)
        {
            if (_hosts.ContainsKey(account.Name) || _disabled.ContainsKey(account.Name))
            {
                return;
            }
            _disabled[account.Name] = new NotEnabledResponder(_context.Server.Router, account);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        List<AccountHost> hosts;
        List<IDisposable> disabled;
        lock (_gate)
        {
            hosts = [.. _hosts.Values];
            disabled = [.. _disabled.Values];
            _hosts.Clear();
            _disabled.Clear();
        }
        foreach (var d in disabled)
        {
            d.Dispose();
        }
        foreach (var host in hosts)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The raw <c>jetstream</c> value, compared by its text so an unchanged block is no change on reload.</summary>
    private sealed record JetStreamBlock(string? Text, ConfValue? Value)
    {
        public bool Equals(JetStreamBlock? other) => other is not null && Text == other.Text && Same(Value, other.Value);

        public override int GetHashCode() => Text?.GetHashCode() ?? 0;

        private static bool Same(ConfValue? a, ConfValue? b) => (a, b) switch
        {
            (null, null) => true,
            (ConfMap x, ConfMap y) => x.Count == y.Count && x.All(e => y.TryGet(e.Key, out var v) && Same(e.Value, v)),
            (ConfString x, ConfString y) => x.Value == y.Value,
            (ConfInteger x, ConfInteger y) => x.Value == y.Value,
            (ConfBool x, ConfBool y) => x.Value == y.Value,
            (null, _) or (_, null) => false,
            _ => a.Describe() == b.Describe(),
        };
    }

    private sealed record TopLevelStoreDir(string? Path);

    /// <summary>A section that takes effect only at start: any change is refused, naming it.</summary>
    private sealed class RestartOnly<T>(string option) : IReloadHook<T>
        where T : class
    {
        public void Validate(T current, T proposed, ReloadValidation validation) =>
            validation.Reject(option, "changing JetStream's server settings needs a restart");

        public void Apply(T current, T proposed)
        {
        }
    }

    /// <summary>Accounts' <c>jetstream</c> keys: applied live.</summary>
    private sealed class AccountsHook(JetStreamPlugin plugin) : IReloadHook<AccountSettings<AccountJetStream>>
    {
        public void Validate(AccountSettings<AccountJetStream> current, AccountSettings<AccountJetStream> proposed, ReloadValidation validation)
        {
            if (plugin._started && plugin.EnablesSystemAccount(proposed))
            {
                validation.Reject("accounts.*.jetstream", SystemAccountRefusal);
                return;
            }
            validation.Changed("accounts.*.jetstream");
        }

        public void Apply(AccountSettings<AccountJetStream> current, AccountSettings<AccountJetStream> proposed)
        {
            if (!plugin._started)
            {
                return;
            }
            foreach (var account in plugin._context.Accounts.All)
            {
                var before = current.For(account.Name);
                var after = proposed.For(account.Name);
                if (Equals(before, after) || (plugin._globalOnly && account.Name == AccountRegistry.GlobalAccountName))
                {
                    continue;
                }
                // The section is replaced after Apply; decide from the proposed settings.
                plugin.Reconsider(account, after ?? FromDefinition(account.Definition?.JetStream));
            }
        }
    }

    /// <summary>
    /// Kicks push consumers when a subscription on their deliver subject appears, so what waited
    /// for interest (a durable whose subscriber reconnected: an MQTT session, say) goes at once.
    /// Called on the subscriber's thread: only looks the consumers up and queues their work.
    /// </summary>
    private sealed class DeliverInterest(JetStreamPlugin plugin) : IInterestObserver
    {
        public void OnSubscriptionAdded(Account account, Subscription subscription)
        {
            if (subscription.Sink is ILocalOnlySink)
            {
                return;
            }
            AccountHost? host;
            lock (plugin._gate)
            {
                plugin._hosts.TryGetValue(account.Name, out host);
            }
            if (host is not null)
            {
                host.Js.OnInterest(Encoding.UTF8.GetString(subscription.Subject));
            }
        }

        public void OnSubscriptionRemoved(Account account, Subscription subscription)
        {
        }
    }
}
