using System.Buffers;
using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// The one place messages and interest enter the server's routing. A message is delivered to
/// the subscriptions that match it: every plain subscription, one member of each queue group,
/// and each link (route, leaf, gateway…) once, as the links' <see cref="LinkKind"/> policies
/// and the message's <see cref="MessageOrigin"/> allow. Interest (subscriptions) added or
/// removed here reaches every <see cref="IInterestObserver"/>, whichever link it was learned
/// over: the subscription's sink tells its origin.
/// </summary>
/// <example>
/// <code>
/// // A link plugin: interest its peer announced, then a message it delivered.
/// var sub = new Subscription(subject, queue, link) { QueueWeight = weight, Owner = account };
/// server.Router.AddSubscription(account, sub);
/// server.Router.Publish(account, new MessageView(subject, reply, headers, payload), MessageOrigin.FromLink(link));
/// // When the link closes, all of its interest at once:
/// server.Router.RemoveSubscriptions(account, subs);
/// </code>
/// </example>
public sealed class MessageRouter
{
    // Written once at construction; the router itself holds no other state.
    private readonly NatsServer _server;

    // The delivering thread's state, in one thread-static (each access to one costs a TLS
    // lookup, and a delivery made five of them; pubsub-128 profiles showed them).
    [ThreadStatic] private static DeliveryState? t_state;

    internal MessageRouter(NatsServer server)
    {
        _server = server;
    }

    /// <summary>
    /// Delivers <paramref name="message"/> published in <paramref name="account"/> from
    /// <paramref name="origin"/>. Runs on the caller's thread; sinks copy what they keep.
    /// Statistics are the caller's (a link counts what it received).
    /// </summary>
    /// <returns>True when a subscriber or a link took the message (false: no responders).</returns>
    public bool Publish(Account account, in MessageView message, in MessageOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (origin.Link is not null && RoutedReply.TrySplit(message.Reply, out var reply, out var shown))
        {
            // A JetStream delivery from another server: routed on its subject, shown with the
            // one the sender carried at the end of the reply.
            return PublishTo(account, message.Subject, new MessageView(shown, reply, message.Headers, message.Payload), origin);
        }
        var result = account.Sublist.Match(message.Subject);
        return !result.IsEmpty && Deliver(account, result, message, origin);
    }

    /// <summary>
    /// Delivers <paramref name="message"/> to the subscribers of <paramref name="deliverTo"/>
    /// while local subscribers see the message's own subject, as nats-server delivers
    /// JetStream messages (<c>pa.deliver</c>: a push consumer's deliver subject or a pull
    /// request's reply). Links get the message on <paramref name="deliverTo"/>, the subject their
    /// peer routes on, with the shown subject at the end of the reply (<c>reply@subject</c>, see
    /// <see cref="RoutedReply"/>) as nats-server carries it over routes, gateways and leafs.
    /// </summary>
    /// <returns>True when a subscriber or a link took the message.</returns>
    public bool PublishTo(Account account, ReadOnlySpan<byte> deliverTo, in MessageView message, in MessageOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(account);
        var result = account.Sublist.Match(deliverTo);
        return !result.IsEmpty && Deliver(account, result, message, origin, deliverTo);
    }

    /// <summary>
    /// Adds interest to <paramref name="account"/>: the subscription goes into the account's
    /// sublist and every interest observer hears of it (routes announce it unless it came over
    /// a route, a leaf plugin announces what routes learned…).
    /// </summary>
    public void AddSubscription(Account account, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(subscription);
        account.Sublist.Insert(subscription);
        _server.OnSubscriptionAdded(account, subscription);
    }

    /// <summary>
    /// Changes the weight of a link's queue subscription (its number of remote members); interest
    /// observers hear of a change (<see cref="IInterestObserver.OnQueueWeightChanged"/>).
    /// </summary>
    public void UpdateQueueWeight(Account account, Subscription subscription, int weight)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(subscription);
        weight = Math.Max(1, weight);
        var old = subscription.QueueWeight;
        if (old == weight)
        {
            return;
        }
        account.Sublist.UpdateQueueWeight(subscription, weight);
        _server.OnQueueWeightChanged(account, subscription, old);
    }

    /// <summary>Removes interest: closed for in-flight deliveries, out of the sublist, observers told.</summary>
    public void RemoveSubscription(Account account, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(account);
        subscription.MarkClosed();
        if (account.Sublist.Remove(subscription))
        {
            _server.OnSubscriptionRemoved(account, subscription);
        }
    }

    /// <summary>
    /// Removes many subscriptions of one account in one pass over the sublist (a closing
    /// client or link): every one is closed first, so no delivery starts to any of them after
    /// this begins; observers are then told of each.
    /// </summary>
    public void RemoveSubscriptions(Account account, IReadOnlyCollection<Subscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0)
        {
            return;
        }
        foreach (var subscription in subscriptions)
        {
            subscription.MarkClosed();
        }
        account.Sublist.RemoveBatch(subscriptions);
        foreach (var subscription in subscriptions)
        {
            _server.OnSubscriptionRemoved(account, subscription);
        }
    }

    /// <summary>The kind of link a subscription's interest was learned over; null for local interest.</summary>
    public static LinkKind? InterestOrigin(Subscription subscription) => subscription.LinkSink?.Kind;

    /// <summary>
    /// How deep imports may nest: they can chain (A exports to B, B to C), and a cycle the
    /// configuration check missed must not recurse forever.
    /// </summary>
    internal const int MaxImportDepth = 8;

    /// <summary>Nesting depth of deliveries on this thread (imports re-enter the router).</summary>
    internal static int Depth => t_state?.Depth ?? 0;

    /// <summary>
    /// Inside a sink's <see cref="IMessageSink.Deliver"/>: the local client whose publish is being
    /// delivered (also through imports into other accounts), null when the message came from a
    /// link or the server. For sinks that act for the requester (the system imports'
    /// <c>$SYS.REQ.USER.INFO</c>, as nats-server shares the requester's client info).
    /// </summary>
    internal static IMessageSink? Publisher => t_state?.Publisher;

    /// <summary>Delivers <paramref name="message"/>; returns true when anyone received it.</summary>
    internal static bool Deliver(Account account, SublistResult result, in MessageView message, in MessageOrigin origin, ReadOnlySpan<byte> linkSubject = default)
    {
        var state = t_state ??= new DeliveryState();
        var depth = state.Depth++;
        if (depth == 0)
        {
            state.Publisher = origin.IsClient ? origin.Source : null;
        }
        try
        {
            return DeliverAtDepth(account, result, message, origin, state.LinksAt(depth), linkSubject);
        }
        finally
        {
            state.Depth--;
            if (depth == 0)
            {
                // A closed client is not kept alive by the thread that last delivered for it.
                state.Publisher = null;
            }
        }
    }

    private static bool DeliverAtDepth(Account account, SublistResult result, in MessageView message, in MessageOrigin origin, LinkTargets links, ReadOnlySpan<byte> linkSubject)
    {
        var delivered = false;
        var fromLink = origin.Link;
        // A client without echo, and the link a message came over, never get it back.
        var excluded = origin.Source is { } source && (fromLink is not null || !origin.Echo) ? source : null;
        links.Clear();

        foreach (var sub in result.Subscriptions)
        {
            if (sub.LinkSink is { } link)
            {
                if (!ReferenceEquals(link, excluded) && link.Kind.Accepts(fromLink))
                {
                    links.Add(link, null);
                }
                continue;
            }
            if ((excluded is not null && ReferenceEquals(sub.Sink, excluded)) || (sub.IsLocalOnly && !ReachesLocalOnly(fromLink)))
            {
                continue;
            }
            // A message routed on another subject than the one shown (a JetStream delivery) goes
            // through the sink's DeliverRouted: a stream import matches on the routed subject.
            delivered |= linkSubject.IsEmpty
                ? sub.Sink.Deliver(sub, message)
                : sub.Sink.DeliverRouted(sub, message, linkSubject);
        }

        foreach (var group in result.QueueGroups)
        {
            if (fromLink is not null && !QueueRequested(origin.QueueFilter, group.Name))
            {
                continue;
            }
            delivered |= DeliverToOneMember(group, message, fromLink, excluded, links);
        }

        if (links.Count > 0)
        {
            delivered |= linkSubject.IsEmpty
                ? links.ForwardAll(account, message)
                : ForwardRouted(account, links, message, linkSubject);
        }
        return delivered;
    }

    /// <summary>
    /// Links get a message routed on another subject than the one shown on <paramref name="linkSubject"/>,
    /// the shown subject after an <c>@</c> at the end of the reply (nats-server's
    /// <c>processMsgResults</c>); a message without a reply cannot carry it.
    /// </summary>
    private static bool ForwardRouted(Account account, LinkTargets links, in MessageView message, ReadOnlySpan<byte> linkSubject)
    {
        if (message.Reply.IsEmpty)
        {
            return links.ForwardAll(account, new MessageView(linkSubject, default, message.Headers, message.Payload));
        }
        var length = RoutedReply.Length(message.Reply, message.Subject);
        byte[]? rented = null;
        var reply = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = RoutedReply.Join(reply, message.Reply, message.Subject);
            return links.ForwardAll(account, new MessageView(linkSubject, reply[..written], message.Headers, message.Payload));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Gives the message to one member of the group: a random one (weighted) among local
    /// members and routes, or when that one declines it (closed meanwhile, a permission filter)
    /// the next, and so on; only when no member of that tier took it, the next tier (leafs,
    /// then gateways). A link picked stands for remote members: it picks one of its own.
    /// </summary>
    private static bool DeliverToOneMember(QueueGroup group, in MessageView message, LinkKind? fromLink, IMessageSink? excluded, LinkTargets links)
    {
        var members = group.Members;
        var count = members.Length;
        if (count == 0)
        {
            return false;
        }
        var start = group.PickIndex(NextRandom());
        var tier = 0;
        while (true)
        {
            var nextTier = int.MaxValue;
            for (var i = 0; i < count; i++)
            {
                var candidate = members[(start + i) % count];
                if (candidate.IsClosed || (excluded is not null && ReferenceEquals(candidate.Sink, excluded)))
                {
                    continue;
                }
                var link = candidate.LinkSink;
                var candidateTier = link?.Kind.QueueTier ?? 0;
                if (candidateTier != tier)
                {
                    if (candidateTier > tier && candidateTier < nextTier)
                    {
                        nextTier = candidateTier;
                    }
                    continue;
                }
                if (link is not null)
                {
                    if (!link.Kind.Accepts(fromLink))
                    {
                        continue;
                    }
                    links.Add(link, group.NameArray);
                    return false;
                }
                if (candidate.IsLocalOnly && !ReachesLocalOnly(fromLink))
                {
                    continue;
                }
                if (candidate.Sink.Deliver(candidate, message))
                {
                    return true;
                }
            }
            if (nextTier == int.MaxValue)
            {
                return false;
            }
            tier = nextTier;
        }
    }

    /// <summary>Whether a message from <paramref name="fromLink"/> (null: local or internal) may reach <see cref="ILocalOnlySink"/> subscriptions.</summary>
    private static bool ReachesLocalOnly(LinkKind? fromLink) => fromLink is null || fromLink.ReachesLocalOnlySinks;

    /// <summary>xorshift32: queue picks need spread, not cryptographic quality, and must be cheap.</summary>
    private static uint NextRandom()
    {
        // Only called inside a delivery, which created the state.
        var state = t_state!;
        var x = state.Random;
        if (x == 0)
        {
            x = (uint)Random.Shared.Next() | 1;
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        state.Random = x;
        return x;
    }

    private static bool QueueRequested(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> queue)
    {
        foreach (var range in filter.Split((byte)' '))
        {
            if (filter[range].SequenceEqual(queue))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A thread's deliveries: how deeply nested, for whom, and their scratch.</summary>
    private sealed class DeliveryState
    {
        // Scratch per nesting depth: an import sink delivers into another account from inside
        // a delivery, which must not clobber the outer delivery's link list.
        private LinkTargets[] _links = new LinkTargets[4];

        public int Depth;

        // The local client whose publish this thread is delivering; set by the outermost delivery.
        public IMessageSink? Publisher;

        // xorshift32 state for queue picks.
        public uint Random;

        public LinkTargets LinksAt(int depth)
        {
            if (depth >= _links.Length)
            {
                Array.Resize(ref _links, depth * 2);
            }
            return _links[depth] ??= new LinkTargets();
        }
    }

    /// <summary>Links a message goes to, each once, with the queue groups picked for it.</summary>
    private sealed class LinkTargets
    {
        private ILinkSink[] _links = new ILinkSink[4];
        private List<byte[]>[] _queues = new List<byte[]>[4];

        public int Count { get; private set; }

        public void Clear() => Count = 0;

        public void Add(ILinkSink link, byte[]? queue)
        {
            var index = Array.IndexOf(_links, link, 0, Count);
            if (index < 0)
            {
                if (Count == _links.Length)
                {
                    Array.Resize(ref _links, Count * 2);
                    Array.Resize(ref _queues, Count * 2);
                }
                index = Count++;
                _links[index] = link;
                (_queues[index] ??= []).Clear();
            }
            if (queue is not null)
            {
                _queues[index].Add(queue);
            }
        }

        public bool ForwardAll(Account account, in MessageView message)
        {
            var taken = false;
            for (var i = 0; i < Count; i++)
            {
                taken |= _links[i].Forward(account, message, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_queues[i]));
                _links[i] = null!;
            }
            Count = 0;
            return taken;
        }
    }
}
