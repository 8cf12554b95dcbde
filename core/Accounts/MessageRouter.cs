using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>Who published a message, which decides echo and queue-member preference.</summary>
internal readonly ref struct PublishOrigin
{
    /// <summary>The publishing sink (a client connection), or null for internal publishes.</summary>
    public IMessageSink? Publisher { get; init; }

    /// <summary>Whether the publisher wants its own messages back.</summary>
    public bool Echo { get; init; }

    /// <summary>True when the message arrived over a route: it must not go back to routes.</summary>
    public bool FromRoute { get; init; }

    /// <summary>
    /// For messages from a route: the queue groups the sender chose this server for
    /// (space-separated names); only those groups get the message here.
    /// </summary>
    public ReadOnlySpan<byte> QueueFilter { get; init; }
}

/// <summary>
/// Delivers a message to the subscriptions that matched it: every plain subscription, one
/// member of each queue group, and each link (route…) once. All sinks go through here.
/// </summary>
internal static class MessageRouter
{
    // Scratch per nesting depth: an import sink delivers into another account from inside
    // a delivery, which must not clobber the outer delivery's link list.
    [ThreadStatic] private static LinkTargets[]? t_links;
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static uint t_random;

    /// <summary>
    /// How deep imports may nest: they can chain (A exports to B, B to C), and a cycle the
    /// configuration check missed must not recurse forever.
    /// </summary>
    public const int MaxImportDepth = 8;

    /// <summary>Nesting depth of deliveries on this thread (imports re-enter the router).</summary>
    public static int Depth => t_depth;

    /// <summary>Delivers <paramref name="message"/>; returns true when anyone received it.</summary>
    public static bool Deliver(Account account, SublistResult result, in MessageView message, in PublishOrigin origin)
    {
        var depth = t_depth++;
        try
        {
            return DeliverAtDepth(account, result, message, origin, depth);
        }
        finally
        {
            t_depth--;
        }
    }

    private static bool DeliverAtDepth(Account account, SublistResult result, in MessageView message, in PublishOrigin origin, int depth)
    {
        var delivered = false;
        var publisher = origin.Publisher;
        var excluded = publisher is not null && !origin.Echo ? publisher : null;
        var all = t_links ??= new LinkTargets[4];
        if (depth >= all.Length)
        {
            Array.Resize(ref t_links, depth * 2);
            all = t_links;
        }
        var links = all[depth] ??= new LinkTargets();
        links.Clear();

        foreach (var sub in result.Subscriptions)
        {
            if (sub.Sink is ILinkSink link)
            {
                if (!origin.FromRoute)
                {
                    links.Add(link, null);
                }
                continue;
            }
            if ((excluded is not null && ReferenceEquals(sub.Sink, excluded)) || (origin.FromRoute && sub.Sink is ILocalOnlySink))
            {
                continue;
            }
            delivered |= sub.Sink.Deliver(sub, message);
        }

        foreach (var group in result.QueueGroups)
        {
            if (origin.FromRoute && !QueueRequested(origin.QueueFilter, group.Name))
            {
                continue;
            }
            delivered |= DeliverToOneMember(group, message, origin.FromRoute, excluded, links);
        }

        if (links.Count > 0)
        {
            delivered |= links.ForwardAll(account, message);
        }
        return delivered;
    }

    /// <summary>
    /// Gives the message to one member of the group: a random one (weighted), or when that
    /// one declines it (closed meanwhile, or a permission filter) the next, and so on. A
    /// message from a route only goes to local members; a local message may go to a link
    /// standing for remote members, which then picks one of its own.
    /// </summary>
    private static bool DeliverToOneMember(QueueGroup group, in MessageView message, bool fromRoute, IMessageSink? excluded, LinkTargets links)
    {
        var members = group.Members;
        var count = members.Length;
        if (count == 0)
        {
            return false;
        }
        var start = group.PickIndex(NextRandom());
        for (var i = 0; i < count; i++)
        {
            var candidate = members[(start + i) % count];
            if (candidate.IsClosed || (excluded is not null && ReferenceEquals(candidate.Sink, excluded)))
            {
                continue;
            }
            if (candidate.Sink is ILinkSink link)
            {
                if (fromRoute)
                {
                    continue;
                }
                links.Add(link, group.NameArray);
                return false;
            }
            if (candidate.Sink.Deliver(candidate, message))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>xorshift32: queue picks need spread, not cryptographic quality, and must be cheap.</summary>
    private static uint NextRandom()
    {
        var x = t_random;
        if (x == 0)
        {
            x = (uint)Random.Shared.Next() | 1;
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t_random = x;
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
            for (var i = 0; i < Count; i++)
            {
                _links[i].Forward(account, message, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_queues[i]));
                _links[i] = null!;
            }
            Count = 0;
            return true;
        }
    }
}
