using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Core.Cluster;

/// <summary>
/// Local interest, counted per account and (subject, queue), so routes hear about a subject
/// when the first local subscriber appears (RS+) and when the last one leaves (RS-); for
/// queue groups every change re-announces the group's weight (its local member count).
/// </summary>
public sealed partial class RouteManager : IInterestObserver
{
    private readonly Dictionary<Account, Dictionary<string, InterestEntry>> _interest = [];

    /// <inheritdoc />
    public void OnSubscriptionAdded(Account account, Subscription subscription) => Change(account, subscription, +1);

    /// <inheritdoc />
    public void OnSubscriptionRemoved(Account account, Subscription subscription) => Change(account, subscription, -1);

    /// <summary>Counts what is already subscribed when clustering starts (internal subscriptions).</summary>
    private void SeedInterest()
    {
        foreach (var account in _server.Accounts.All)
        {
            foreach (var subscription in account.Sublist.All())
            {
                Change(account, subscription, +1);
            }
        }
    }

    /// <summary>
    /// Local interest, and interest learned over links whose origin routes accept (a leaf's,
    /// not another route's): stream imports are a local concern and never announced. A remote
    /// cluster's interest (gateway) is not announced either: every server has its own gateway
    /// connections and forwards its own publishers' messages (nats-server keeps it out of the
    /// account's sublist altogether).
    /// </summary>
    private static bool Propagates(Subscription subscription) => subscription.Sink switch
    {
        ILocalOnlySink => false,
        ILinkSink link => link.Kind != LinkKind.Gateway && LinkKind.Route.Accepts(link.Kind),
        _ => true,
    };

    /// <inheritdoc />
    public void OnQueueWeightChanged(Account account, Subscription subscription, int oldWeight)
    {
        if (subscription.Queue is not null && Propagates(subscription))
        {
            Apply(account, subscription, subscription.QueueWeight - oldWeight);
        }
    }

    /// <summary>
    /// One subscription in or out. A queue subscription counts its weight: a leaf's group
    /// stands for that many members, and the group's RS+ carries the sum (nats-server's route
    /// map counts leaf queue weights the same way).
    /// </summary>
    private void Change(Account account, Subscription subscription, int delta)
    {
        if (Propagates(subscription))
        {
            Apply(account, subscription, subscription.Queue is null ? delta : delta * Math.Max(1, subscription.QueueWeight));
        }
    }

    private void Apply(Account account, Subscription subscription, int amount)
    {
        if (amount == 0)
        {
            return;
        }
        var key = subscription.Queue is null ? subscription.SubjectString : subscription.SubjectString + " " + subscription.QueueString;
        lock (_interest)
        {
            if (!_interest.TryGetValue(account, out var table))
            {
                table = new Dictionary<string, InterestEntry>(StringComparer.Ordinal);
                _interest[account] = table;
            }
            if (!table.TryGetValue(key, out var entry))
            {
                if (amount < 0)
                {
                    return;
                }
                entry = new InterestEntry(subscription.Subject, subscription.Queue, subscription.OriginCluster);
                table[key] = entry;
            }
            entry.Count += amount;
            bool subscribe;
            if (entry.Count <= 0)
            {
                table.Remove(key);
                subscribe = false;
            }
            else if (entry.Queue is not null || (amount > 0 && entry.Count == amount))
            {
                subscribe = true;
            }
            else
            {
                return;
            }
            // Under the lock, so two changes to one subject reach every route in order.
            byte[]? plain = null, withOrigin = null;
            foreach (var route in _routesById.Values)
            {
                route.Send(entry.Origin is not null && route.AcceptsLeafOrigin
                    ? withOrigin ??= InterestLine(account, entry, subscribe, withOrigin: true)
                    : plain ??= InterestLine(account, entry, subscribe, withOrigin: false));
            }
        }
    }

    /// <summary>Sends everything this server is interested in to a newly registered route.</summary>
    private void SendAllInterest(RouteConnection route)
    {
        var buffer = new MemoryStream();
        lock (_interest)
        {
            foreach (var (account, table) in _interest)
            {
                foreach (var entry in table.Values)
                {
                    buffer.Write(InterestLine(account, entry, subscribe: true, withOrigin: route.AcceptsLeafOrigin));
                }
            }
            if (buffer.Length > 0)
            {
                route.Send(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
        }
    }

    /// <summary>
    /// <c>RS+ account subject [queue weight]</c> or <c>RS- account subject [queue]</c>; interest
    /// from a leaf of another cluster, to a peer that takes it (<paramref name="withOrigin"/>), as
    /// nats-server's <c>LS+ origin account subject [queue weight]</c> / <c>LS- account subject [queue]</c>.
    /// </summary>
    private static byte[] InterestLine(Account account, InterestEntry entry, bool subscribe, bool withOrigin)
    {
        var text = new StringBuilder(64);
        if (withOrigin && entry.Origin is not null)
        {
            text.Append(subscribe ? "LS+ " : "LS- ");
            if (subscribe)
            {
                text.Append(entry.Origin).Append(' ');
            }
        }
        else
        {
            text.Append(subscribe ? "RS+ " : "RS- ");
        }
        text.Append(account.Name).Append(' ').Append(Encoding.UTF8.GetString(entry.Subject));
        if (entry.Queue is not null)
        {
            text.Append(' ').Append(Encoding.UTF8.GetString(entry.Queue));
            if (subscribe)
            {
                text.Append(' ').Append(entry.Count);
            }
        }
        text.Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class InterestEntry(byte[] subject, byte[]? queue, string? origin)
    {
        public byte[] Subject { get; } = subject;
        public byte[]? Queue { get; } = queue;

        /// <summary>The leaf cluster of the subscription that created the entry (nats-server's route map keeps the first one's).</summary>
        public string? Origin { get; } = origin;
        public int Count { get; set; }
    }
}
