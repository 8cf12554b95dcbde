using System.Collections.Concurrent;

namespace Nats.Core.Subjects;

/// <summary>
/// A kind of link to other servers (route, gateway, leaf, or a plugin's own) with the policy
/// the router applies to it: which origins' messages (and interest) it may carry, and where
/// its queue members rank when a queue group picks one member. Open: a link plugin uses the
/// well-known kinds below or registers its own with <see cref="Register(string, int, Func{LinkKind?, bool}, bool)"/>.
/// </summary>
/// <remarks>
/// nats-server's rules, as these kinds carry them: a message that came over a route goes to
/// local clients and leafs but never to another route or a gateway; a message from a gateway
/// never goes to a gateway; no message ever goes back over the link it came from (the router
/// enforces that last one for every kind). A message from a leaf reaches this server's
/// <see cref="ILocalOnlySink"/> subscriptions (imports, JetStream's API and stream capture), as
/// nats-server treats a leaf as a client of the account it binds; one from a route or gateway
/// does not, since the server it came from has the same imports and its own JetStream and
/// already handled it. A queue group picks among local members and routes
/// first (tier 0, weighted as nats-server), then leafs (tier 1), then gateways (tier 2).
/// </remarks>
/// <example>
/// <code>
/// // A link that bridges to a broker: carries only what local clients published.
/// public static readonly LinkKind Bridge = LinkKind.Register("bridge", queueTier: 3, acceptsFrom: origin => origin is null);
/// </code>
/// </example>
public sealed class LinkKind
{
    private static readonly ConcurrentDictionary<string, LinkKind> Registered = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Routes: never carry what came over a route.</summary>
    public static readonly LinkKind Route = Register("route", 0, origin => !ReferenceEquals(origin, Route));

    /// <summary>Leaf node connections: carry everything but what came over the same leaf.</summary>
    public static readonly LinkKind Leaf = Register("leaf", 1, _ => true, reachesLocalOnlySinks: true);

    /// <summary>
    /// Gateways: never carry what came over a gateway, nor what came over a route (every server
    /// of a cluster has its own gateway connections and sends what its own clients and leafs
    /// publish; a routed copy would reach the other cluster once per server).
    /// </summary>
    public static readonly LinkKind Gateway = Register("gateway", 2, origin => !ReferenceEquals(origin, Gateway) && !ReferenceEquals(origin, Route));

    private readonly Func<LinkKind?, bool> _acceptsFrom;

    private LinkKind(string name, int queueTier, Func<LinkKind?, bool> acceptsFrom, bool reachesLocalOnlySinks)
    {
        Name = name;
        QueueTier = queueTier;
        _acceptsFrom = acceptsFrom;
        ReachesLocalOnlySinks = reachesLocalOnlySinks;
    }

    /// <summary>The kind's name (unique, compared without regard to case).</summary>
    public string Name { get; }

    /// <summary>
    /// Where this kind's queue members rank: a group offers a message to tier 0 (local members
    /// and routes) first, then to each higher tier in turn while no member took it.
    /// </summary>
    public int QueueTier { get; }

    /// <summary>
    /// Whether a message that arrived over a link of this kind is delivered to this server's
    /// <see cref="ILocalOnlySink"/> subscriptions. True for leafs: their peer is another system
    /// whose clients use this server's imports and JetStream as its own clients do. False for
    /// routes and gateways: the sending server has the same local-only subscriptions and handled
    /// the message itself. A kind that reaches them should also announce them to its peer.
    /// </summary>
    public bool ReachesLocalOnlySinks { get; }

    /// <summary>
    /// Registers a kind whose messages do not reach local-only sinks, or returns the one already
    /// registered under <paramref name="name"/>.
    /// </summary>
    /// <param name="name">The kind's name.</param>
    /// <param name="queueTier">Rank of its queue members (0 with local members; higher is later).</param>
    /// <param name="acceptsFrom">
    /// Whether a link of this kind carries a message (or interest) whose origin is a link of the
    /// given kind, or a local client or internal publisher when null.
    /// </param>
    public static LinkKind Register(string name, int queueTier, Func<LinkKind?, bool> acceptsFrom) =>
        Register(name, queueTier, acceptsFrom, reachesLocalOnlySinks: false);

    /// <summary>
    /// Registers a kind, or returns the one already registered under <paramref name="name"/>.
    /// </summary>
    /// <param name="name">The kind's name.</param>
    /// <param name="queueTier">Rank of its queue members (0 with local members; higher is later).</param>
    /// <param name="acceptsFrom">
    /// Whether a link of this kind carries a message (or interest) whose origin is a link of the
    /// given kind, or a local client or internal publisher when null.
    /// </param>
    /// <param name="reachesLocalOnlySinks">See <see cref="ReachesLocalOnlySinks"/>.</param>
    public static LinkKind Register(string name, int queueTier, Func<LinkKind?, bool> acceptsFrom, bool reachesLocalOnlySinks)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(acceptsFrom);
        ArgumentOutOfRangeException.ThrowIfNegative(queueTier);
        return Registered.GetOrAdd(name, n => new LinkKind(n, queueTier, acceptsFrom, reachesLocalOnlySinks));
    }

    /// <summary>The kind registered under <paramref name="name"/>, or null.</summary>
    public static LinkKind? Find(string name) => Registered.GetValueOrDefault(name);

    /// <summary>
    /// Whether a link of this kind carries a message or interest from <paramref name="origin"/>
    /// (null: a local client or the server itself).
    /// </summary>
    public bool Accepts(LinkKind? origin) => origin is null || _acceptsFrom(origin);

    /// <inheritdoc />
    public override string ToString() => Name;
}
