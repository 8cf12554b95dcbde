using Nats.Core.Connections;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Every listener this server runs, as nats-server lists them in its ports file: <c>nats</c>
    /// (<c>tls</c> scheme when TLS is required), <c>monitoring</c>, <c>cluster</c>, then those
    /// plugins added with <see cref="AddListenerAddress"/> in the order they were added.
    /// Only listeners that are bound appear; empty before <see cref="StartAsync"/>.
    /// </summary>
    public IReadOnlyList<ListenerAddress> ListenerAddresses
    {
        get
        {
            var list = new List<ListenerAddress>();
            if (Volatile.Read(ref _state) == 0)
            {
                return list;
            }
            var options = _options;
            if (Port > 0)
            {
                list.Add(new ListenerAddress("nats", _info.TlsRequired ? "tls" : "nats", options.Host, Port));
            }
            if (Monitoring.Port > 0)
            {
                list.Add(new ListenerAddress("monitoring", "http", options.Monitoring.Host ?? options.Host, Monitoring.Port));
            }
            if (_routes is { Port: > 0 } routes)
            {
                list.Add(new ListenerAddress("cluster", routes.TlsRequired ? "tls" : "nats", options.Cluster.Host, routes.Port));
            }
            lock (_pluginListenerAddresses)
            {
                list.AddRange(_pluginListenerAddresses);
            }
            return list;
        }
    }

    /// <summary>
    /// Reports a listener a plugin runs (websocket, leafnode, mqtt…) so that it is listed with
    /// the kernel's in <see cref="ListenerAddresses"/> and the ports file. Call once the listener
    /// is bound, with the port it got: the host writes the ports file when
    /// <see cref="StartAsync"/> has completed, that is after every plugin's StartAsync.
    /// </summary>
    public void AddListenerAddress(ListenerAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrEmpty(address.Name);
        ArgumentException.ThrowIfNullOrEmpty(address.Scheme);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(address.Port);
        lock (_pluginListenerAddresses)
        {
            _pluginListenerAddresses.Add(address);
        }
    }
}
