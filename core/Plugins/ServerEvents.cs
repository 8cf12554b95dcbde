using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Connections;

namespace Nats.Core.Plugins;

/// <summary>
/// What happens to the server as a whole, for plugins and the kernel's own parts (routes
/// follow lame duck mode and reloads from here): clients connecting and closing, lame duck
/// mode, reloads and the heartbeat tick. Reached through <see cref="NatsServer.Events"/> or
/// <see cref="IServerContext.Events"/>.
/// </summary>
/// <remarks>
/// Handlers run on the thread of the event (a client's read loop, the heartbeat timer, the
/// reloading thread) and must not block. One handler that throws is logged and does not keep
/// the others from running. Subscribe from <see cref="IServerPlugin.StartAsync"/>: handlers
/// added during Configure stay even if the plugin is then skipped as optional.
/// </remarks>
/// <example>
/// <code>
/// context.Events.ClientConnected += client => log.LogInformation("{Kind} client {Id} in {Account}", client.Kind, client.Id, client.Account.Name);
/// context.Events.LameDuckEntered += () => myListener.Stop();
/// context.Events.Heartbeat += now => myLinks.CheckTimers(now);
/// </code>
/// </example>
public sealed class ServerEvents
{
    private readonly ILogger _log;

    // Copy-on-write handler arrays: written under _gate by (un)subscribing threads, read
    // without a lock by the raising threads (the heartbeat raises every tick, allocation-free).
    private readonly Lock _gate = new();
    private Action<ClientConnection>[] _clientConnected = [];
    private Action<ClientConnection>[] _clientClosed = [];
    private Action[] _lameDuckEntered = [];
    private Action<long>[] _heartbeat = [];
    private Action<ServerOptions, ServerOptions>[] _reloaded = [];

    internal ServerEvents(ILogger log)
    {
        _log = log;
    }

    /// <summary>
    /// A client connection of any kind (plain, WebSocket, MQTT, a plugin's) had its first
    /// CONNECT accepted: it is authenticated and bound to its account. Raised on its read loop.
    /// </summary>
    public event Action<ClientConnection> ClientConnected
    {
        add => Add(ref _clientConnected, value);
        remove => Remove(ref _clientConnected, value);
    }

    /// <summary>
    /// A client connection closed (<see cref="NatsConnection.CloseReason"/> says why), whether
    /// or not it got as far as CONNECT. Raised on the closing thread, after its subscriptions went.
    /// </summary>
    public event Action<ClientConnection> ClientClosed
    {
        add => Add(ref _clientClosed, value);
        remove => Remove(ref _clientClosed, value);
    }

    /// <summary>
    /// Lame duck mode began (<see cref="NatsServer.EnterLameDuckModeAsync"/>): the client
    /// listener is closed; stop accepting on your own listeners and tell your peers. Routes
    /// re-send their INFO from here.
    /// </summary>
    public event Action LameDuckEntered
    {
        add => Add(ref _lameDuckEntered, value);
        remove => Remove(ref _lameDuckEntered, value);
    }

    /// <summary>
    /// The heartbeat ticked (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): the one
    /// timer that drives every connection's keep-alive and deadlines, every 10 ms to 1 s
    /// depending on the shortest configured interval. Raised on the timer thread; keep it short.
    /// </summary>
    public event Action<long> Heartbeat
    {
        add => Add(ref _heartbeat, value);
        remove => Remove(ref _heartbeat, value);
    }

    /// <summary>
    /// A reload applied: (previous options, new options), after the kernel's changes and every
    /// bound section's reload hook. Routes dial added routes and drop removed ones from here.
    /// </summary>
    public event Action<ServerOptions, ServerOptions> Reloaded
    {
        add => Add(ref _reloaded, value);
        remove => Remove(ref _reloaded, value);
    }

    internal void RaiseClientConnected(ClientConnection client)
    {
        foreach (var handler in Volatile.Read(ref _clientConnected))
        {
            try
            {
                handler(client);
            }
            catch (Exception ex)
            {
                Failed(ex, nameof(ClientConnected));
            }
        }
    }

    internal void RaiseClientClosed(ClientConnection client)
    {
        foreach (var handler in Volatile.Read(ref _clientClosed))
        {
            try
            {
                handler(client);
            }
            catch (Exception ex)
            {
                Failed(ex, nameof(ClientClosed));
            }
        }
    }

    internal void RaiseLameDuckEntered()
    {
        foreach (var handler in Volatile.Read(ref _lameDuckEntered))
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                Failed(ex, nameof(LameDuckEntered));
            }
        }
    }

    internal void RaiseHeartbeat(long now)
    {
        foreach (var handler in Volatile.Read(ref _heartbeat))
        {
            try
            {
                handler(now);
            }
            catch (Exception ex)
            {
                Failed(ex, nameof(Heartbeat));
            }
        }
    }

    internal void RaiseReloaded(ServerOptions previous, ServerOptions current)
    {
        foreach (var handler in Volatile.Read(ref _reloaded))
        {
            try
            {
                handler(previous, current);
            }
            catch (Exception ex)
            {
                Failed(ex, nameof(Reloaded));
            }
        }
    }

    private void Failed(Exception ex, string name) => Logging.ServerLog.EventHandlerFailed(_log, ex, name);

    private void Add<T>(ref T[] handlers, T handler) where T : Delegate
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            Volatile.Write(ref handlers, [.. handlers, handler]);
        }
    }

    private void Remove<T>(ref T[] handlers, T handler) where T : Delegate
    {
        lock (_gate)
        {
            var index = Array.IndexOf(handlers, handler);
            if (index >= 0)
            {
                Volatile.Write(ref handlers, [.. handlers.AsSpan(0, index), .. handlers.AsSpan(index + 1)]);
            }
        }
    }
}
