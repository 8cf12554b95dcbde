using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.Core.Cluster;

namespace Nats.Gateway;

/// <summary>
/// Gateways inside this server's cluster, over the routes, as nats-server: our route INFO
/// carries <c>gateway_url</c>; the peers' URLs make the <c>gateway_urls</c> our gateway INFO
/// advertises (so remote clusters can dial any member); a remote we connect to is flooded to
/// the peers (<c>{"server_id":"GW"+id,"gateway","gateway_urls","gateway_cmd":1}</c>) so every
/// member dials it too (nats-server's <c>forwardNewGatewayToLocalCluster</c>,
/// <c>sendGatewayConfigsToRoute</c>, <c>addGatewayURL</c>).
/// </summary>
internal sealed partial class GatewayManager : IRouteInfoHandler
{
    /// <summary>The route INFO field with a server's gateway URL.</summary>
    public const string RouteField = "gateway_url";

    // Under _lock: peer server id → its gateway URL (host:port).
    private readonly Dictionary<string, string> _peerUrls = new(StringComparer.Ordinal);

    /// <summary>This cluster's gateway URLs: ours first, then the peers' (nats-server's <c>gateway_urls</c>).</summary>
    public List<string> ClusterUrls()
    {
        lock (_lock)
        {
            return [_url, .. _peerUrls.Values.Where(u => u != _url).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Puts our URL in the route INFO and starts listening to the peers' (before routes connect).</summary>
    private void JoinCluster()
    {
        Server.SetRouteInfoField(RouteField, _url);
        Server.AddRouteInfoHandler(this);
    }

    /// <inheritdoc />
    public void OnPeerInfo(RouteInfo info, bool first)
    {
        var url = info.GetStringField(RouteField);
        bool changed;
        lock (_lock)
        {
            changed = url is null
                ? _peerUrls.Remove(info.ServerId)
                : !_peerUrls.TryGetValue(info.ServerId, out var known) || known != url;
            if (url is not null)
            {
                _peerUrls[info.ServerId] = url;
            }
        }
        if (changed)
        {
            AnnounceClusterUrls();
        }
        if (first)
        {
            SendRemotesToRoute(info.ServerId);
        }
    }

    /// <inheritdoc />
    public void OnPeerGone(string serverId)
    {
        bool removed;
        lock (_lock)
        {
            removed = _peerUrls.Remove(serverId);
        }
        if (removed && !_stopping.IsCancellationRequested)
        {
            AnnounceClusterUrls();
        }
    }

    /// <inheritdoc />
    public bool OnOtherInfo(string fromServerId, RouteInfo info)
    {
        if (info.GetStringField("gateway") is not { Length: > 0 } name)
        {
            return false;
        }
        var command = info.TryGetField("gateway_cmd", out var cmd) && cmd.ValueKind == JsonValueKind.Number ? cmd.GetInt32() : 0;
        if (command != GatewayInfo.CommandGossip)
        {
            GatewayLog.UnknownClusterCommand(_log, command, fromServerId);
            return true;
        }
        List<string>? urls = null;
        if (info.TryGetField("gateway_urls", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            urls = [.. list.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!)];
        }
        LearnImplicit(name, urls);
        return true;
    }

    /// <summary>
    /// nats-server's <c>forwardNewGatewayToLocalCluster</c>: after an outbound connection's INFO,
    /// tell every peer, which dials the remote unless it has it already.
    /// </summary>
    public void ForwardToCluster(string remote, IReadOnlyList<string>? urls)
    {
        var gossip = new GatewayInfo
        {
            ServerId = "GW" + Server.ServerId,
            ServerName = Server.Name,
            Gateway = remote,
            GatewayUrls = urls is null ? null : [.. urls],
            GatewayCmd = GatewayInfo.CommandGossip,
        };
        Server.SendRouteInfo(gossip.ToJson());
    }

    /// <summary>nats-server's <c>sendGatewayConfigsToRoute</c>: a new peer learns the remotes we have an outbound connection to.</summary>
    private void SendRemotesToRoute(string serverId)
    {
        List<(string Name, List<string> Urls)> connected;
        lock (_lock)
        {
            connected = [.. _remotes.Values.Where(r => r.Connection is { IsClosed: false }).Select(r => (r.Name, r.UrlStrings()))];
        }
        foreach (var (name, urls) in connected.Where(c => c.Urls.Count > 0))
        {
            var gossip = new GatewayInfo { ServerId = "GW" + Server.ServerId, Gateway = name, GatewayUrls = urls, GatewayCmd = GatewayInfo.CommandGossip };
            Server.SendRouteInfo(gossip.ToJson(), serverId);
        }
    }

    /// <summary>Our cluster's URL set changed: a new INFO for inbound connections (nats-server's <c>sendAsyncGatewayInfo</c>).</summary>
    private void AnnounceClusterUrls()
    {
        RebuildInfo();
        var line = InfoLine;
        foreach (var connection in Connections().Inbound)
        {
            connection.SendLine(line);
        }
    }
}
