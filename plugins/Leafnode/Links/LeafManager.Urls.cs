using System.Text.Json;
using Nats.Core.Cluster;
using Nats.Core.Connections;

namespace Nats.Leafnode.Links;

/// <summary>
/// Leaf URL gossip inside a hub cluster, as nats-server: each member with a leafnode port puts
/// its own leaf URL in its route INFO (<c>leafnode_urls</c>, one entry, unless
/// <c>leafnodes { no_advertise }</c>); every member lists its own and its peers' in the INFO its
/// leafs get, and sends that INFO again to them when a member comes or goes (or the cluster's
/// <c>ws_connect_urls</c> change), so a leaf can fail over to another member.
/// </summary>
/// <remarks>
/// Route handler calls come on route read loops; they only update the map and queue INFO lines.
/// </remarks>
public sealed partial class LeafManager : IRouteInfoHandler
{
    /// <summary>The route and leaf INFO field carrying leafnode URLs (nats-server's name).</summary>
    public const string LeafnodeUrlsField = "leafnode_urls";

    /// <summary>This server's leaf URL as leafs and routes are told (<c>host:port</c>, advertise first).</summary>
    private string OwnLeafUrl => HostPort.Join(AdvertisedHost, AdvertisedPort);

    /// <summary>Our own leaf URL, then the cluster members' (nats-server's <c>leafURLsMap</c>).</summary>
    private string[] LeafUrls()
    {
        var own = OwnLeafUrl;
        return [own, .. _peerLeafUrls.Values.Where(u => u != own).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Called once the listener is bound: our URL goes into the route INFO (nats-server reads it
    /// only from a route's first INFO, hence the plugin starts before routes), and peers' INFO is
    /// followed from now on.
    /// </summary>
    private void StartUrlGossip()
    {
        if (!_options.NoAdvertise)
        {
            _server.SetRouteInfoField(LeafnodeUrlsField, JsonSerializer.SerializeToElement<string[]>([OwnLeafUrl], Protocol.LeafJsonContext.Default.StringArray));
        }
        _server.AddRouteInfoHandler(this);
        _server.AdvertisedUrlsChanged += OnAdvertisedUrlsChanged;
    }

    private void StopUrlGossip() => _server.AdvertisedUrlsChanged -= OnAdvertisedUrlsChanged;

    /// <inheritdoc />
    public void OnPeerInfo(RouteInfo info, bool first)
    {
        // From a route it is one URL at most (nats-server takes it only when there is exactly one).
        if (!info.TryGetField(LeafnodeUrlsField, out var urls) || urls.ValueKind != JsonValueKind.Array || urls.GetArrayLength() != 1
            || urls[0].GetString() is not { Length: > 0 } url)
        {
            return;
        }
        if (_peerLeafUrls.TryGetValue(info.ServerId, out var known) && known == url)
        {
            return;
        }
        _peerLeafUrls[info.ServerId] = url;
        SendInfoToLeafs();
    }

    /// <inheritdoc />
    public void OnPeerGone(string serverId)
    {
        if (_peerLeafUrls.TryRemove(serverId, out _))
        {
            SendInfoToLeafs();
        }
    }

    /// <inheritdoc />
    public bool OnOtherInfo(string fromServerId, RouteInfo info) => false;

    private void OnAdvertisedUrlsChanged(IReadOnlyCollection<string> fields)
    {
        if (fields.Contains(WebSocketConnectUrlsField))
        {
            SendInfoToLeafs();
        }
    }

    /// <summary>
    /// nats-server's <c>sendAsyncLeafNodeInfo</c>: the leafs we accepted get the hub INFO again
    /// (no nonce, no client id) with the current <c>leafnode_urls</c> and <c>ws_connect_urls</c>.
    /// </summary>
    private void SendInfoToLeafs()
    {
        if (!_options.IsListening || Port == 0)
        {
            return;
        }
        byte[]? line = null;
        foreach (var connection in _connections.Values)
        {
            if (!connection.DidSolicit && connection.IsRegistered && !connection.IsClosed)
            {
                line ??= BuildInfo(0, nonce: null, connectInfo: false, account: null, isSystem: false, permissions: null).ToProtocolLine();
                connection.SendInfo(line);
            }
        }
    }
}
