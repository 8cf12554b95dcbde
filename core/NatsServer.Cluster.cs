using Nats.Core.Connections;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Nats.Core.Cluster;
using Nats.Core.Config;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>Clustering, when a cluster port is configured.</summary>
    public RouteManager? Routes => _routes;

    /// <summary>
    /// This server's own client URLs (host:port), as advertised to clients and peers; empty
    /// until the client port is bound.
    /// </summary>
    /// <remarks>
    /// Worked out on first use, not at start: listing the network interfaces costs tens of
    /// milliseconds, and only clustering needs the answer. What it depends on (host, port,
    /// client_advertise) cannot change while the server runs.
    /// </remarks>
    public IReadOnlyList<string> OwnClientUrls => Port == 0 ? [] : _ownClientUrls ??= ComputeClientUrls(_options);

    /// <summary>When connect_urls last changed (UTC ticks), so new clients' first PING can catch up.</summary>
    internal long ConnectUrlsUpdatedTicks => Interlocked.Read(ref _connectUrlsUpdated);

    /// <summary>Before the client port opens: the route manager, its port bound (not accepting yet), local interest counted.</summary>
    private void PrepareCluster(ServerOptions options)
    {
        if (!options.Cluster.Enabled)
        {
            return;
        }
        _routes = new RouteManager(this, options.Cluster);
        AddInterestObserver(_routes);
        _routes.Bind();
    }

    /// <summary>Once the client port is ready: routes accepted and dialled.</summary>
    private void StartCluster()
    {
        if (_routes is null)
        {
            return;
        }
        _routes.Start();
        RoutezEndpoint.Register(this, _routes, Monitoring);
        UpdateInfo(info => info with { Cluster = _routes.ClusterName });
    }

    private void StopCluster() => _routes?.Stop();

    /// <summary>Adds a peer's client URLs to connect_urls and tells clients.</summary>
    internal void AddClusterClientUrls(IReadOnlyList<string> urls) => ChangeClusterClientUrls(urls, +1);

    /// <summary>Withdraws a peer's client URLs from connect_urls and tells clients.</summary>
    internal void RemoveClusterClientUrls(IReadOnlyList<string> urls) => ChangeClusterClientUrls(urls, -1);

    /// <summary>
    /// Whether cluster membership changes are still told to clients and leaf nodes (plain
    /// connect_urls here, plugin-advertised URLs in NatsServer.AdvertisedUrls.cs). Not once
    /// shutdown has begun (lame duck's last step included): the routes it closes would tell
    /// them the cluster shrank to this server alone, and they would forget the other members
    /// just before they need them (nats.ws then retried only the stopped server). nats-server's
    /// sendAsyncInfoToClients and removeLeafNodeURL return when shutting down, for the same reason.
    /// </summary>
    private bool AnnouncesClusterChanges => IsRunning;

    private void ChangeClusterClientUrls(IReadOnlyList<string> urls, int delta)
    {
        if (urls.Count == 0 || !AnnouncesClusterChanges)
        {
            return;
        }
        string[] list;
        lock (_clusterClientUrls)
        {
            var changed = false;
            // Counted per URL: two peers may advertise the same one, and it stays while either does.
            foreach (var url in urls)
            {
                var count = _clusterClientUrls.GetValueOrDefault(url) + delta;
                if (count <= 0)
                {
                    changed |= _clusterClientUrls.Remove(url);
                }
                else
                {
                    changed |= !_clusterClientUrls.ContainsKey(url);
                    _clusterClientUrls[url] = count;
                }
            }
            if (!changed)
            {
                return;
            }
            list = [.. OwnClientUrls, .. _clusterClientUrls.Keys.Where(u => !OwnClientUrls.Contains(u))];
            UpdateInfo(info => info with { ConnectUrls = list });
            Interlocked.Exchange(ref _connectUrlsUpdated, DateTime.UtcNow.Ticks);
        }
        foreach (var client in _clients.Values)
        {
            // Clients of a listener with its own advertised URLs are told of those instead.
            if (client.Listener.ConnectUrlsField is null)
            {
                client.SendInfoUpdate();
            }
        }
    }

    /// <summary>The client URLs of this server (see <see cref="ConnectUrlsFor"/>).</summary>
    private List<string> ComputeClientUrls(ServerOptions options) => ConnectUrlsFor(options.ClientAdvertise, options.Host, Port);

    /// <summary>
    /// The <c>host:port</c> URLs a listener is advertised under, as nats-server's
    /// <c>getConnectURLs</c>: the advertise address, else the listen address, or every
    /// non-loopback interface address when listening on all interfaces.
    /// </summary>
    /// <param name="advertise">The listener's advertise option (<c>host[:port]</c>), null or empty for none.</param>
    /// <param name="listenHost">The host the listener bound.</param>
    /// <param name="port">The port it bound (the advertise address's default port too).</param>
    public static List<string> ConnectUrlsFor(string? advertise, string listenHost, int port)
    {
        if (!string.IsNullOrEmpty(advertise))
        {
            var (host, advertisedPort) = HostPort.Parse(advertise, port);
            return [HostPort.Join(host, advertisedPort)];
        }
        if (!IsAnyAddress(listenHost))
        {
            return [HostPort.Join(listenHost, port)];
        }
        var urls = new List<string>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }
            foreach (var address in nic.GetIPProperties().UnicastAddresses)
            {
                var ip = address.Address;
                if (IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal || (listenHost == "0.0.0.0" && ip.AddressFamily != AddressFamily.InterNetwork))
                {
                    continue;
                }
                urls.Add(HostPort.Join(ip.ToString(), port));
            }
        }
        return urls;
    }
}
