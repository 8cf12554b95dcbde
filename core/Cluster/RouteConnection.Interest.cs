using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Subjects;
using Nats.Core.Logging;

namespace Nats.Core.Cluster;

public sealed partial class RouteConnection
{
    // The peer's interest as subscriptions in our sublists, keyed "account subject [queue]".
    private readonly Dictionary<string, (Account Account, Subscription Subscription)> _remoteInterest = new(StringComparer.Ordinal);

    /// <summary>Subscriptions this route holds on behalf of the peer.</summary>
    public int RemoteSubscriptionCount
    {
        get
        {
            lock (_remoteInterest)
            {
                return _remoteInterest.Count;
            }
        }
    }

    /// <summary>A snapshot of the peer's interest (for /routez).</summary>
    public IReadOnlyList<(string Account, Subscription Subscription)> GetRemoteInterest()
    {
        lock (_remoteInterest)
        {
            return [.. _remoteInterest.Values.Select(v => (v.Account.Name, v.Subscription))];
        }
    }

    private void AddRemoteInterest(Account? account, ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue, int weight, ReadOnlySpan<byte> origin)
    {
        if (account is null)
        {
            RouteLog.UnknownAccount(Log, this, Text(accountName), Text(subject));
            return;
        }
        if (!SubjectValidator.IsValidSubject(subject))
        {
            RouteLog.InvalidSubject(Log, this, Text(subject));
            return;
        }
        var key = InterestKey(accountName, subject, queue);
        lock (_remoteInterest)
        {
            if (IsClosed)
            {
                return;
            }
            if (_remoteInterest.TryGetValue(key, out var existing))
            {
                // Same interest again: for a queue group it carries the group's new weight.
                if (!queue.IsEmpty && existing.Subscription.QueueWeight != weight)
                {
                    Server.Router.UpdateQueueWeight(existing.Account, existing.Subscription, weight);
                }
                return;
            }
            var subscription = new Subscription(subject.ToArray(), queue.IsEmpty ? null : queue.ToArray(), this)
            {
                QueueWeight = Math.Max(1, weight),
                Owner = account,
                OriginCluster = origin.IsEmpty ? null : Text(origin),
            };
            _remoteInterest.Add(key, (account, subscription));
            Server.Router.AddSubscription(account, subscription);
        }
    }

    private void RemoveRemoteInterest(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue)
    {
        var key = InterestKey(accountName, subject, queue);
        (Account Account, Subscription Subscription) entry;
        lock (_remoteInterest)
        {
            if (!_remoteInterest.Remove(key, out entry))
            {
                return;
            }
        }
        Server.Router.RemoveSubscription(entry.Account, entry.Subscription);
    }

    private void RemoveAllRemoteInterest()
    {
        (Account Account, Subscription Subscription)[] all;
        lock (_remoteInterest)
        {
            all = [.. _remoteInterest.Values];
            _remoteInterest.Clear();
        }
        foreach (var group in all.GroupBy(e => e.Account))
        {
            Server.Router.RemoveSubscriptions(group.Key, [.. group.Select(e => e.Subscription)]);
        }
    }

    private static string InterestKey(ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue) =>
        queue.IsEmpty ? $"{Text(account)} {Text(subject)}" : $"{Text(account)} {Text(subject)} {Text(queue)}";
}
