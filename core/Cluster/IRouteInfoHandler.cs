namespace Nats.Core.Cluster;

/// <summary>
/// A plugin's view of the route INFO its cluster peers send (register with
/// <see cref="NatsServer.AddRouteInfoHandler"/>): the fields a peer's plugin added with
/// <see cref="NatsServer.SetRouteInfoField(string, System.Text.Json.JsonElement?)"/> (nats-server's
/// <c>gateway_url</c>, for one), the peer leaving, and INFOs that are about something else than
/// the peer (nats-server floods its routes with <c>{"gateway":…,"gateway_cmd":1}</c>).
/// </summary>
/// <remarks>
/// Called on the route's read loop: keep it short, never block; send with
/// <see cref="NatsServer.SendRouteInfo"/>, which only queues. The peer's own fields that the
/// kernel does not model are in <see cref="RouteInfo.AdvertisedFields"/> (see
/// <see cref="RouteInfo.TryGetField"/>).
/// </remarks>
public interface IRouteInfoHandler
{
    /// <summary>
    /// A peer's INFO about itself: <paramref name="first"/> when its route just registered
    /// (nats-server reads most fields only from this one), otherwise a later INFO (a field
    /// changed, lame duck).
    /// </summary>
    void OnPeerInfo(RouteInfo info, bool first);

    /// <summary>The route to the peer <paramref name="serverId"/> closed: withdraw what it told us.</summary>
    void OnPeerGone(string serverId);

    /// <summary>
    /// An INFO whose <c>server_id</c> is not the peer's (gossip). Return true when it is yours:
    /// the kernel then does not treat it as news of a server to route to.
    /// </summary>
    /// <param name="fromServerId">The peer whose route carried it.</param>
    /// <param name="info">The INFO; plugin fields are in <see cref="RouteInfo.AdvertisedFields"/>.</param>
    bool OnOtherInfo(string fromServerId, RouteInfo info);
}
