using Nats.Core.Accounts;

namespace Nats.Core.Connections;

/// <summary>
/// A connection's own limits: the smaller of its user's and its account's (nats-server's
/// <c>applyAccountLimits</c>); the server-wide options are folded in where they are read, so a
/// reload of max_payload or max_subscriptions still reaches every connection. Immutable: a
/// change replaces the whole object.
/// </summary>
internal sealed class ConnectionLimits
{
    public static readonly ConnectionLimits None = new(UserLimits.None, AccountLimits.None);

    private ConnectionLimits(UserLimits user, AccountLimits account)
    {
        User = user;
        MaxPayload = UserLimits.Min(user.MaxPayload, account.MaxPayload);
        MaxSubscriptions = UserLimits.Min(user.MaxSubscriptions, account.MaxSubscriptions);
    }

    /// <summary>The user's limits as the authenticator gave them (kept to recompute after an account update).</summary>
    public UserLimits User { get; }

    /// <summary>Largest payload from user and account; -1 for none.</summary>
    public long MaxPayload { get; }

    /// <summary>Most subscriptions from user and account; -1 for none.</summary>
    public long MaxSubscriptions { get; }

    public static ConnectionLimits For(UserLimits? user, AccountLimits account) =>
        user is null or { MaxPayload: AccountLimits.Unlimited, MaxSubscriptions: AccountLimits.Unlimited } &&
        account is { MaxPayload: AccountLimits.Unlimited, MaxSubscriptions: AccountLimits.Unlimited }
            ? None
            : new ConnectionLimits(user ?? UserLimits.None, account);

    /// <summary>The max_payload in force: this connection's, capped by the server's.</summary>
    public int Payload(int serverMaxPayload) => (int)UserLimits.Min(MaxPayload, serverMaxPayload);

    /// <summary>The subscription limit in force, -1 for none (the server's 0 means none).</summary>
    public long Subscriptions(int serverMaxSubscriptions) =>
        UserLimits.Min(MaxSubscriptions, serverMaxSubscriptions > 0 ? serverMaxSubscriptions : AccountLimits.Unlimited);
}
