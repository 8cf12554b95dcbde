using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Logging;

namespace Nats.Core.Cluster;

public sealed partial class RouteManager
{
    /// <summary>
    /// The peer introduced itself: register the route (one per peer), send it our interest,
    /// tell the other members about it (gossip), and add its client URLs to connect_urls.
    /// </summary>
    internal void OnFirstInfo(RouteConnection route, RouteInfo info)
    {
        if (info.ServerId == _server.ServerId)
        {
            RouteLog.RouteToSelf(Log, route);
            route.Close(ClosedReason.DuplicateRoute);
            return;
        }
        if (info.Cluster is { Length: > 0 } && info.Cluster != ClusterName && !TryAdoptClusterName(info.Cluster, info.ClusterDynamic))
        {
            if (_server.LogLimits.RouteErrors.Allow(Log, LogLevel.Error))
            {
                RouteLog.ClusterNameMismatch(Log, route, info.Cluster, ClusterName);
            }
            route.Close(ClosedReason.ClusterNameConflict);
            return;
        }
        if (!route.DidSolicit && info.ServerName == _server.Name && _server.Name != _server.ServerId)
        {
            RouteLog.DuplicateName(Log, route, info.ServerName);
            route.Close(ClosedReason.DuplicateRoute);
            return;
        }
        route.SetRemote(info);
        if (route.Url is null && info.Host is not null)
        {
            route.Url = new Uri($"nats-route://{HostPort.Join(info.Host, info.Port)}/");
        }

        if (!_routesById.TryAdd(info.ServerId, route))
        {
            // Both servers dialled each other: the first route registered wins, as in
            // nats-server; the survivor is retried should it fail.
            if (_routesById.TryGetValue(info.ServerId, out var existing))
            {
                existing.Retry = true;
            }
            RouteLog.DuplicateRoute(Log, route, info.ServerId);
            route.Close(ClosedReason.DuplicateRoute);
            return;
        }
        route.IsRegistered = true;
        RouteLog.Registering(Log, route, info.ServerId);
        // Our INFO changed (a plugin advertised its listener's URLs, lame duck) after this
        // route's first INFO was built but before it was registered, so AnnounceInfo missed
        // it: send the current INFO now. (Register, then read; AnnounceInfo bumps, then reads.)
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _infoVersion) != route.InfoVersionSent)
        {
            route.Send(BuildInfo(null).ToProtocolLine());
        }

        SendAllInterest(route);
        if (_routesById.Count > 1)
        {
            Gossip(route, info);
        }
        if (!_server.Options.Cluster.NoAdvertise)
        {
            _server.AddClusterClientUrls(route.ConnectUrls);
            _server.OnPeerAdvertised(info.ServerId, info.AdvertisedFields);
        }
        _server.OnRoutePeerInfo(info, first: true);
    }

    /// <summary>
    /// A later INFO: about another server (gossip: connect to it if we do not know it), or
    /// the peer entering lame duck mode (its clients' URLs are withdrawn).
    /// </summary>
    internal void OnInfoUpdate(RouteConnection route, RouteInfo info)
    {
        if (info.ServerId != route.RemoteId)
        {
            // A plugin's gossip (nats-server's gateway INFO, server_id "GW"+id) is not a server to route to.
            if (!_server.OnRouteOtherInfo(route.RemoteId!, info))
            {
                ConnectToGossipedServer(info);
            }
            return;
        }
        _server.OnRoutePeerInfo(info, first: false);
        if (info.LameDuckMode && !_server.Options.Cluster.NoAdvertise)
        {
            _server.RemoveClusterClientUrls(route.ConnectUrls);
            route.ConnectUrls = [];
            _server.WithdrawPeerAdvertised(info.ServerId);
        }
        else if (!_server.Options.Cluster.NoAdvertise)
        {
            // A plugin's listener of the peer started after the route (AnnounceInfo).
            _server.OnPeerAdvertised(info.ServerId, info.AdvertisedFields);
        }
    }

    internal void OnRouteClosed(RouteConnection route, ClosedReason reason)
    {
        _connections.TryRemove(route.Id, out _);
        // Every route whose creation was logged says why it ended (nats-server: "Router connection closed").
        if (reason is not ClosedReason.ClusterNameConflict || _server.LogLimits.RouteConflictCloses.Allow(Log, LogLevel.Information))
        {
            RouteLog.Closed(Log, route, reason.ToDisplayString());
        }
        if (route.IsRegistered && route.RemoteId is not null)
        {
            _routesById.TryRemove(new KeyValuePair<string, RouteConnection>(route.RemoteId, route));
            if (!_server.Options.Cluster.NoAdvertise)
            {
                _server.RemoveClusterClientUrls(route.ConnectUrls);
                _server.WithdrawPeerAdvertised(route.RemoteId);
            }
            _server.OnRoutePeerGone(route.RemoteId);
        }
        if (reason is ClosedReason.ServerShutdown or ClosedReason.ClusterNameConflict or ClosedReason.RouteRemoved || !_server.IsRunning)
        {
            return;
        }
        // Redial what we dialled, and an accepted route that survived a duplicate; never a
        // server we are routed to already, nor ourselves.
        if (!(route.DidSolicit || route.Retry) || route.Url is null)
        {
            return;
        }
        if (route.RemoteId is not null && (route.RemoteId == _server.ServerId || _routesById.ContainsKey(route.RemoteId)))
        {
            return;
        }
        StartDialling(route.Url, route.IsExplicit, reconnect: true);
    }

    /// <summary>Tells every other member about a newly connected server.</summary>
    private void Gossip(RouteConnection route, RouteInfo info)
    {
        var forwarded = info.Clone();
        forwarded.Nonce = null;
        if (string.IsNullOrEmpty(forwarded.Ip))
        {
            var address = route.RemoteEndPoint?.Address;
            var host = address is null ? info.Host ?? "" : HostPort.IpText(address);
            forwarded.Ip = $"nats-route://{HostPort.Join(host, info.Port)}/";
        }
        var line = forwarded.ToProtocolLine();
        foreach (var other in _routesById.Values)
        {
            if (!ReferenceEquals(other, route))
            {
                other.Send(line);
            }
        }
    }

    private void ConnectToGossipedServer(RouteInfo info)
    {
        if (info.ServerId == _server.ServerId || _routesById.ContainsKey(info.ServerId) || string.IsNullOrEmpty(info.Ip))
        {
            return;
        }
        if (!Uri.TryCreate(info.Ip, UriKind.Absolute, out var url))
        {
            RouteLog.BadInfoUrl(Log, info.Ip);
            return;
        }
        if (IsConfiguredRoute(info))
        {
            // An explicit route to it is being dialled already.
            return;
        }
        StartDialling(url, isExplicit: false);
    }

    private bool IsConfiguredRoute(RouteInfo info)
    {
        var target = HostPort.Join(info.Host ?? "", info.Port);
        return _server.Options.Cluster.Routes.Any(r => string.Equals(HostPort.Join(r.Host, r.Port), target, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The version of this server's route INFO (see <see cref="AnnounceInfo"/>), read before a first INFO is built.</summary>
    internal int InfoVersion => Volatile.Read(ref _infoVersion);

    /// <summary>Lame duck: tell peers, so they withdraw our clients' URLs from their connect_urls.</summary>
    internal void AnnounceLameDuck() => AnnounceInfo();

    /// <summary>Sends this server's route INFO again to every peer (lame duck, a plugin's newly advertised URLs).</summary>
    internal void AnnounceInfo()
    {
        Interlocked.Increment(ref _infoVersion);
        var line = BuildInfo(null).ToProtocolLine();
        foreach (var route in _routesById.Values)
        {
            route.Send(line);
        }
    }
}
