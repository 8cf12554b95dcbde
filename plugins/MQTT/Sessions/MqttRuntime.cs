using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Connections;
using Nats.Mqtt.Config;

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
        var lazy = _accounts.GetOrAdd(account.Name, _ => new Lazy<Task<Store.MqttAccount>>(() => Store.MqttAccount.OpenAsync(Context, account, Options, Logger)));
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
                if (Clients.ContainsKey(registryKey))
                {
                    return;
                }
                var record = await account.LoadSessionAsync(clientId).ConfigureAwait(false);
                if (record is not null && record.Id == clientId && record.Disconnected == disconnected && !Clients.ContainsKey(registryKey))
                {
                    await account.DiscardSessionAsync(record).ConfigureAwait(false);
                    Logger.LogDebug("mqtt: session of {Id} expired after {Expiry}s", clientId, expiry);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                // Shutting down, or JetStream gone: the next CONNECT checks the expiry again.
            }
        });
    }

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
