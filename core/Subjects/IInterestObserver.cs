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
}
