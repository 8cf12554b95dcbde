namespace Nats.Core.Accounts;

/// <summary>
/// Limits of an account as a whole (nats-server's account <c>limits {}</c> block and the
/// account JWT's limits). <see cref="Unlimited"/> (-1) means no limit, as in nats-server; 0 is
/// a real limit of zero.
/// </summary>
public sealed record AccountLimits
{
    /// <summary>The value that means "no limit".</summary>
    public const long Unlimited = -1;

    /// <summary>No limit at all (the default of every account).</summary>
    public static readonly AccountLimits None = new();

    /// <summary>Client connections bound to the account at once (<c>max_connections</c>).</summary>
    public long MaxConnections { get; init; } = Unlimited;

    /// <summary>Leaf node connections bound to the account (<c>max_leafnodes</c>).</summary>
    public long MaxLeafNodeConnections { get; init; } = Unlimited;

    /// <summary>Subscriptions per connection of the account (<c>max_subscriptions</c>).</summary>
    public long MaxSubscriptions { get; init; } = Unlimited;

    /// <summary>Largest message payload a connection of the account may publish (<c>max_payload</c>).</summary>
    public long MaxPayload { get; init; } = Unlimited;

    /// <summary>Bytes of data (the JWT's <c>data</c>); carried for plugins, not enforced by the kernel.</summary>
    public long MaxData { get; init; } = Unlimited;
}

/// <summary>
/// Limits of one user, from the authenticator (a user JWT's limits, say). The connection's
/// effective limit is the smallest of the user's, its account's and the server's, as
/// nats-server's <c>applyAccountLimits</c> computes it.
/// </summary>
public sealed record UserLimits
{
    /// <summary>No limit at all.</summary>
    public static readonly UserLimits None = new();

    /// <summary>Subscriptions the connection may hold (<c>subs</c>); -1 for no limit.</summary>
    public long MaxSubscriptions { get; init; } = AccountLimits.Unlimited;

    /// <summary>Largest payload the connection may publish (<c>payload</c>); -1 for no limit.</summary>
    public long MaxPayload { get; init; } = AccountLimits.Unlimited;

    /// <summary>Bytes of data (<c>data</c>); carried for plugins, not enforced by the kernel.</summary>
    public long MaxData { get; init; } = AccountLimits.Unlimited;

    /// <summary>
    /// nats-server's <c>minLimit</c>: the smaller of two limits where -1 means none.
    /// </summary>
    public static long Min(long value, long limit) =>
        value == AccountLimits.Unlimited ? limit
        : limit == AccountLimits.Unlimited ? value
        : Math.Min(value, limit);
}
