using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Monitoring;
using Nats.Core.Subjects;

namespace Nats.Core.Plugins;

/// <summary>
/// The <see cref="IServerContext"/> one plugin receives from <see cref="NatsServer.AddPlugin"/>.
/// It records what the plugin registers during Configure so that a plugin whose Configure
/// throws can be withdrawn completely: an optional plugin that fails must not leave behind,
/// say, an authenticator that admits clients, nor a section that takes part in reloads.
/// </summary>
internal sealed class PluginContext : IServerContext
{
    private readonly RecordingConfigBus _config;
    private readonly List<IAuthenticator> _authenticators = [];
    private readonly List<IInterestObserver> _observers = [];
    private readonly HashSet<string> _endpointsBefore;
    private bool _committed;

    public PluginContext(NatsServer server)
    {
        Server = server;
        _config = new RecordingConfigBus(server.Config);
        _endpointsBefore = new HashSet<string>(server.Monitoring.Paths, StringComparer.OrdinalIgnoreCase);
    }

    public NatsServer Server { get; }

    public IConfigBus Config => _config;

    public AccountRegistry Accounts => Server.Accounts;

    public MonitoringServer Monitoring => Server.Monitoring;

    public ITlsStore Tls => Server.Tls;

    public ILoggerFactory Logging => Server.LoggerFactory;

    public SystemServices.ISystemServices SystemServices => Server.SystemServices;

    public ServerEvents Events => Server.Events;

    public void AddAuthenticator(IAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        if (_committed)
        {
            Server.AddAuthenticator(authenticator);
            return;
        }
        _authenticators.Add(authenticator);
    }

    public void AddInterestObserver(IInterestObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (_committed)
        {
            Server.AddInterestObserver(observer);
            return;
        }
        _observers.Add(observer);
    }

    public IInProcessConnection Connect(Account? account = null) => Server.ConnectInProcess(account);

    public void AddListenerAddress(ListenerAddress address) => Server.AddListenerAddress(address);

    /// <summary>Configure succeeded: what the plugin registered takes effect (and later calls pass straight through).</summary>
    public void Commit()
    {
        _committed = true;
        foreach (var authenticator in _authenticators)
        {
            Server.AddAuthenticator(authenticator);
        }
        foreach (var observer in _observers)
        {
            Server.AddInterestObserver(observer);
        }
    }

    /// <summary>Configure failed: withdraws the sections the plugin bound and the endpoints it added.</summary>
    public void Rollback(ConfigBus bus)
    {
        foreach (var name in _config.BoundNames)
        {
            bus.Unbind(name);
        }
        foreach (var path in Server.Monitoring.Paths.Where(p => !_endpointsBefore.Contains(p)))
        {
            Server.Monitoring.Unregister(path);
        }
    }

    /// <summary>Passes bindings through to the server's bus and remembers their names.</summary>
    private sealed class RecordingConfigBus(IConfigBus inner) : IConfigBus
    {
        private readonly List<string> _bound = [];

        public IReadOnlyList<string> BoundNames => _bound;

        public IConfigSection<T> Bind<T>(string name, Func<ConfValue?, T> parse, IReloadHook<T>? hook = null)
            where T : class
        {
            var section = inner.Bind(name, parse, hook);
            _bound.Add(name);
            return section;
        }

        public IConfigSection<AccountSettings<T>> BindAccountKey<T>(string key, Func<ConfValue, T> parse, IReloadHook<AccountSettings<T>>? hook = null)
            where T : class
        {
            var section = inner.BindAccountKey(key, parse, hook);
            _bound.Add(ConfigBus.AccountKeyBindingName(key));
            return section;
        }
    }
}
