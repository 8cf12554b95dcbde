using Nats.Core.Plugins;
using Nats.Core.SystemServices;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// The <c>$SYS</c> services on the system account (requests, events, STATSZ); plugins add
    /// their requests and contributions here.
    /// </summary>
    public ISystemServices SystemServices => Services;

    /// <summary>
    /// How <see cref="ReloadConfigurationAsync"/> re-reads the configuration: the host sets a
    /// function that reloads the config file (as SIGHUP does) and applies it through
    /// <see cref="Reload"/>. Without one, a reload request is refused as nats-server refuses
    /// it without a config file.
    /// </summary>
    public Func<Task<ReloadResult>>? ConfigurationReloader
    {
        get => _configurationReloader;
        set => _configurationReloader = value;
    }

    /// <summary>
    /// Reloads the configuration from its source (the config file, through
    /// <see cref="ConfigurationReloader"/>): what SIGHUP and <c>$SYS.REQ.SERVER.&lt;id&gt;.RELOAD</c> do.
    /// </summary>
    public Task<ReloadResult> ReloadConfigurationAsync()
    {
        if (_configurationReloader is { } reloader)
        {
            return reloader();
        }
        return Task.FromResult(new ReloadResult(false, ["can only reload config when a file is provided using -c or --config"], []));
    }

    /// <summary>
    /// Names the system account before the server starts: an empty system account of that name
    /// replaces the configured one. Operator mode calls this from its plugin's Configure to take
    /// the system account the operator JWT names when the config names none, as nats-server does.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has started, the system services
    /// were used already (a plugin configured before registered with them), the system account is
    /// disabled, or another account has that name.</exception>
    public void UseSystemAccount(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureNotStarted();
        if (Volatile.Read(ref _systemServices) is not null)
        {
            throw new InvalidOperationException("the system services are in use already; the system account can no longer change");
        }
        Accounts.ReplaceSystem(name);
    }

    internal SystemServiceHost Services
    {
        get
        {
            var services = Volatile.Read(ref _systemServices);
            if (services is not null)
            {
                return services;
            }
            var created = new SystemServiceHost(this);
            return Interlocked.CompareExchange(ref _systemServices, created, null) ?? created;
        }
    }

    /// <summary>A client's CONNECT was accepted (first time): the account's CONNECT event.</summary>
    internal void OnClientConnected(Connections.ClientConnection client) => Services.Events.ClientConnected(client);

    /// <summary>A connected client closed: the account's DISCONNECT event.</summary>
    internal void OnClientDisconnected(Connections.ClientConnection client) => Services.Events.ClientDisconnected(client);

    /// <summary>A client failed authentication: the CLIENT.AUTH.ERR event.</summary>
    internal void OnClientAuthenticationFailed(Connections.ClientConnection client, Connections.ClosedReason reason) =>
        Services.Events.AuthenticationFailed(client, reason);

    private void StartSystemServices() => Services.Start();

    /// <summary>
    /// Publishes SHUTDOWN and gives routes and local subscribers a moment to write it: closing
    /// a connection for shutdown discards what it has not written yet (nats-server flushes
    /// instead), and the rest of the cluster and local monitors should hear this server go.
    /// Bounded, so a stuck or busy peer cannot hold the shutdown.
    /// </summary>
    private async Task AnnounceShutdownToSystemAsync()
    {
        if (!Services.AnnounceShutdown())
        {
            return;
        }
        List<Connections.NatsConnection> waiting = [.. _clients.Values.Where(c => c.PendingBytes > 0)];
        if (_routes is { } routes)
        {
            waiting.AddRange(routes.Routes.Where(r => r.PendingBytes > 0));
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (waiting.Any(c => c.PendingBytes > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private ValueTask StopSystemServicesAsync() => Services.DisposeAsync();
}
