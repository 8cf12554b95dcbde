using Nats.Core.Accounts;

namespace Nats.Core.Subjects;

/// <summary>
/// Told when local interest changes, so it can be propagated: routes send RS+/RS-, and
/// link plugins (leaf nodes, gateways) do their equivalent. Calls come from the thread
/// that changed the interest and must not block.
/// </summary>
public interface IInterestObserver
{
    /// <summary>A local subscription was added to <paramref name="account"/>.</summary>
    void OnSubscriptionAdded(Account account, Subscription subscription);

    /// <summary>A local subscription was removed from <paramref name="account"/>.</summary>
    void OnSubscriptionRemoved(Account account, Subscription subscription);

    /// <summary>
    /// A queue subscription learned over a link (a route's or leaf's group, standing for several
    /// remote members) changed weight: <see cref="Subscription.QueueWeight"/> is the new weight,
    /// <paramref name="oldWeight"/> what it counted before. Observers that announce weights
    /// re-announce the group (routes' <c>RS+ subject queue weight</c>, leaf nodes'
    /// <c>LS+ subject queue weight</c>, as nats-server resends on every change). The default
    /// ignores it.
    /// </summary>
    void OnQueueWeightChanged(Account account, Subscription subscription, int oldWeight)
    {
    }
}
