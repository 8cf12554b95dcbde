using System.Collections.Concurrent;
using System.Diagnostics;
using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Gateway;

/// <summary>
/// <c>_GR_.&lt;cluster&gt;.&lt;server&gt;.&lt;reply&gt;</c> routed replies (and the legacy
/// <c>$GR.&lt;hash&gt;.&lt;reply&gt;</c>): recognising them, and remembering for a while which
/// cluster a plain reply we delivered must go back to. A remembered reply gets a subscription
/// whose sink is the outbound connection to that cluster, so the response reaches it even
/// before the requester's interest does, and leaves with its <c>_GR_.</c> subject.
/// </summary>
/// <remarks>Any thread: tracked on inbound read loops, looked up by publishers, expired by the manager's sweep.</remarks>
internal sealed class GatewayReplies
{
    private const int PrefixLength = 5;                                        // "_GR_."
    private const int SubjectOffset = PrefixLength + GatewayHash.Length + 1 + GatewayHash.Length + 1;
    private const int OldPrefixLength = 4;                                     // "$GR."
    private const int OldSubjectOffset = OldPrefixLength + 4 + 1;

    private readonly GatewayManager _manager;
    private readonly TimeSpan _ttl;
    private readonly ConcurrentDictionary<Account, ConcurrentDictionary<byte[], Tracked>> _byAccount = new();
    private int _count;

    public GatewayReplies(GatewayManager manager, TimeSpan ttl)
    {
        _manager = manager;
        _ttl = ttl;
    }

    /// <summary>Whether <paramref name="subject"/> is a routed reply (and which prefix).</summary>
    public static bool IsRouted(ReadOnlySpan<byte> subject, out bool oldPrefix)
    {
        oldPrefix = false;
        if (subject.Length > SubjectOffset && subject.StartsWith("_GR_."u8))
        {
            return true;
        }
        if (subject.Length > OldSubjectOffset && subject.StartsWith("$GR."u8))
        {
            oldPrefix = true;
            return true;
        }
        return false;
    }

    /// <summary>The cluster hash a routed reply names.</summary>
    public static ReadOnlySpan<byte> ClusterHash(ReadOnlySpan<byte> routed, bool oldPrefix) =>
        oldPrefix ? routed.Slice(OldPrefixLength, 4) : routed.Slice(PrefixLength, GatewayHash.Length);

    /// <summary>The reply without its routing prefix.</summary>
    public static ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> routed, bool oldPrefix) =>
        routed[(oldPrefix ? OldSubjectOffset : SubjectOffset)..];

    /// <summary>
    /// Remembers that responses on <paramref name="plain"/> go back as <paramref name="routed"/>
    /// to the cluster it names, for the recent-subscription window (2 s, as nats-server).
    /// </summary>
    public void Track(Account account, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> routed, bool oldPrefix)
    {
        var link = _manager.OutboundFor(ClusterHash(routed, oldPrefix), oldPrefix);
        if (link is null)
        {
            return;
        }
        var replies = _byAccount.GetOrAdd(account, static _ => new ConcurrentDictionary<byte[], Tracked>(ByteKey.Comparer));
        var expiry = Stopwatch.GetTimestamp() + (long)(_ttl.TotalSeconds * Stopwatch.Frequency);
        if (replies.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(plain, out var existing) && ReferenceEquals(existing.Link, link))
        {
            existing.Expiry = expiry;
            return;
        }
        var key = plain.ToArray();
        var subscription = new Subscription(key, null, link) { Owner = account };
        var tracked = new Tracked(routed.ToArray(), link, subscription) { Expiry = expiry };
        if (replies.TryAdd(key, tracked))
        {
            Interlocked.Increment(ref _count);
            link.Router.AddSubscription(account, subscription);
        }
    }

    /// <summary>For the outbound <paramref name="link"/>: the routed subject to send a response on, if one is remembered.</summary>
    public bool TryGetRouted(Account account, ReadOnlySpan<byte> subject, GatewayConnection link, out byte[]? routed)
    {
        routed = null;
        if (Volatile.Read(ref _count) == 0 || !_byAccount.TryGetValue(account, out var replies))
        {
            return false;
        }
        if (replies.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(subject, out var tracked) && ReferenceEquals(tracked.Link, link))
        {
            routed = tracked.Routed;
            return true;
        }
        return false;
    }

    /// <summary>Forgets expired mappings (the manager's sweep).</summary>
    public void Sweep(long now)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }
        foreach (var (account, replies) in _byAccount)
        {
            foreach (var (key, tracked) in replies)
            {
                if (tracked.Expiry <= now && replies.TryRemove(key, out _))
                {
                    Interlocked.Decrement(ref _count);
                    tracked.Link.Router.RemoveSubscription(account, tracked.Subscription);
                }
            }
        }
    }

    /// <summary>Forgets what goes over a closed connection.</summary>
    public void Forget(GatewayConnection link)
    {
        foreach (var (account, replies) in _byAccount)
        {
            foreach (var (key, tracked) in replies)
            {
                if (ReferenceEquals(tracked.Link, link) && replies.TryRemove(key, out _))
                {
                    Interlocked.Decrement(ref _count);
                    link.Router.RemoveSubscription(account, tracked.Subscription);
                }
            }
        }
    }

    private sealed class Tracked(byte[] routed, GatewayConnection link, Subscription subscription)
    {
        public byte[] Routed { get; } = routed;
        public GatewayConnection Link { get; } = link;
        public Subscription Subscription { get; } = subscription;
        public long Expiry { get; set; }
    }
}
