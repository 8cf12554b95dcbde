using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Connections;
using Nats.Mqtt.Config;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// What every MQTT connection of one server shares: the server, the options in force (a reload
/// swaps them), the kernel listener options its clients log in with, the connected client IDs
/// (for session takeover) and the JetStream-backed session stores per account.
/// </summary>
internal sealed class MqttRuntime : IAsyncDisposable
{
    private readonly Func<MqttOptions> _options;

    public MqttRuntime(NatsServer server, Func<MqttOptions> options, ClientListenerOptions kernelOptions, ILogger logger, Nats.Core.Plugins.IServerContext context)
    {
        Server = server;
        _options = options;
        KernelOptions = kernelOptions;
        Logger = logger;
        Context = context;
    }

    public NatsServer Server { get; }

    /// <summary>The plugin's view of the kernel (in-process connections for $JS.API).</summary>
    public Nats.Core.Plugins.IServerContext Context { get; }

    public MqttOptions Options => _options();

    public ClientListenerOptions KernelOptions { get; }

    public ILogger Logger { get; }

    /// <summary>The connected clients by MQTT client ID (per account and ID, as nats-server keys sessions).</summary>
    public ConcurrentDictionary<string, MqttConnection> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>Connections currently open (for /varz and tests).</summary>
    public int ConnectionCount => _connections;

    private int _connections;

    public void OnOpened() => Interlocked.Increment(ref _connections);

    public void OnClosed() => Interlocked.Decrement(ref _connections);

    // Per account name: its MQTT state in JetStream, opened by the account's first MQTT client.
    private readonly ConcurrentDictionary<string, Lazy<Task<Store.MqttAccount>>> _accounts = new(StringComparer.Ordinal);

    /// <summary>
    /// The account's MQTT state (streams created, retained messages loaded), opened once; a failed
    /// open is forgotten so the next client tries again (JetStream enabled later, say).
    /// </summary>
    public async Task<Store.MqttAccount> AccountAsync(Nats.Core.Accounts.Account account)
    {
        var lazy = _accounts.GetOrAdd(account.Name, _ => new Lazy<Task<Store.MqttAccount>>(() => OpenAccountAsync(account)));
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _accounts.TryRemove(new KeyValuePair<string, Lazy<Task<Store.MqttAccount>>>(account.Name, lazy));
            throw;
        }
    }

    /// <summary>
    /// Opens an account's MQTT state (its sessions swept: ended and expired ones removed) and
    /// times the expiry of the MQTT 5 sessions it kept, counted from their disconnection (from
    /// now for one whose client was connected when the previous run ended).
    /// </summary>
    private async Task<Store.MqttAccount> OpenAccountAsync(Nats.Core.Accounts.Account account)
    {
        var mqtt = await Store.MqttAccount.OpenAsync(Context, account, Options, Logger).ConfigureAwait(false);
        if (Server.Options.Cluster.Enabled)
        {
            var accountName = account.Name;
            mqtt.Notices = new Store.TakeoverNotices(mqtt.Js.Connection, (clientId, connectedAt) => OnConnectedElsewhere(accountName, clientId, connectedAt));
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var record in mqtt.KeptAtOpen)
        {
            if (record.Expiry is 0 or uint.MaxValue)
            {
                // MQTT 3.1.1 (kept until a clean session) or never expiring.
                continue;
            }
            var left = record.Disconnected > 0 ? record.Disconnected + record.Expiry - now : record.Expiry;
            ExpireLater(mqtt, account.Name + "\u0000" + record.Id, record.Id, record.Disconnected, (uint)Math.Clamp(left, 0, uint.MaxValue - 1));
        }
        return mqtt;
    }

    /// <summary>
    /// At start, in the background: opens the MQTT state of every account that has some (its
    /// <c>$MQTT_sess</c> stream exists), so sessions that ended or expired while the server was
    /// down are removed, and the others' expiry timed, without waiting for a client of the account.
    /// </summary>
    public async Task OpenExistingAccountsAsync()
    {
        foreach (var account in Server.Accounts.All.ToList())
        {
            try
            {
                var probe = new Store.JsApi(Context, account, Options.JsDomain.Length > 0 ? Options.JsDomain : null, Options.EffectiveJsApiTimeout);
                await using (probe.ConfigureAwait(false))
                {
                    await probe.RequestAsync("STREAM.INFO." + Store.StreamNames.Sessions, default).ConfigureAwait(false);
                }
                await AccountAsync(account).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // No MQTT state there (or no JetStream): opened by its first MQTT client, if any.
                MqttLog.AccountNotOpenedAtStart(Logger, account.Name, e.Message);
            }
        }
    }

    /// <summary>
    /// MQTT 5 session expiry: once <paramref name="expiry"/> seconds have passed since the client
    /// went, the session is discarded unless the client came back (its record then shows another
    /// disconnection time, or it is connected). A session whose interval ends while the server is
    /// down is discarded at its next CONNECT instead. Intervals beyond Task.Delay's range (~49
    /// days, and 0xFFFFFFFF: never) are only checked at CONNECT.
    /// </summary>
    public void ExpireLater(Store.MqttAccount account, string registryKey, string clientId, long disconnected, uint expiry)
    {
        if (expiry == uint.MaxValue || expiry >= (uint)(int.MaxValue / 1000))
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(expiry), Server.ShutdownToken).ConfigureAwait(false);
                if (Connected(registryKey))
                {
                    return;
                }
                var record = await account.LoadSessionAsync(clientId).ConfigureAwait(false);
                if (record is not null && record.Id == clientId && record.Disconnected == disconnected && !Connected(registryKey))
                {
                    await account.DiscardSessionAsync(record).ConfigureAwait(false);
                    MqttLog.SessionExpired(Logger, clientId, expiry);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                // Shutting down, or JetStream gone: the next CONNECT checks the expiry again.
            }
        });
    }

    /// <summary>
    /// A client with this ID connected on another server of the cluster: ours is closed (without
    /// its will, as for a takeover here) unless it is the newer one.
    /// </summary>
    private void OnConnectedElsewhere(string accountName, string clientId, long connectedAt)
    {
        if (Clients.TryGetValue(accountName + "\u0000" + clientId, out var client) && !client.IsClosing && client.ConnectedAt < connectedAt)
        {
            MqttLog.ConnectedElsewhere(Logger, clientId);
            _ = client.TakeOverAsync();
        }
    }

    /// <summary>Whether a client is connected under the key (one closing, waiting to send a delayed will, is not).</summary>
    private bool Connected(string registryKey) => Clients.TryGetValue(registryKey, out var client) && !client.IsClosing;

    /// <summary>Closes what the plugin opened for its sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _accounts.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
        _accounts.Clear();
    }
}
