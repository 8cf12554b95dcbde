using Nats.Core.Subjects;

namespace Nats.Leafnode.Links;

/// <summary>
/// The router policies of leaf connections. A connection on which we are the hub is a
/// <see cref="LinkKind.Leaf"/>: it carries everything (local clients, routes, gateways, other
/// leafs) except what came over itself. A connection on which we are the spoke (we solicited
/// it, without <c>hub: true</c>) carries only what local clients published and what leafs we
/// hub sent: the hub's cluster already has what came over our routes, gateways or other hubs
/// (nats-server's <c>isSpokeLeafNode</c> rules). Either way the peer's messages reach our imports
/// and JetStream (<see cref="LinkKind.ReachesLocalOnlySinks"/>).
/// </summary>
internal static class LeafKinds
{
    /// <summary>Leaf connections on which this server is the spoke.</summary>
    public static readonly LinkKind Spoke = LinkKind.Register("leaf-spoke", LinkKind.Leaf.QueueTier,
        origin => origin is null || ReferenceEquals(origin, LinkKind.Leaf), reachesLocalOnlySinks: true);
}
