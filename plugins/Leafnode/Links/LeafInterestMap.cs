using System.Diagnostics;
using Nats.Core.Subjects;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

/// <summary>
/// What one leaf connection has told its peer it is interested in (nats-server's <c>smap</c>):
/// a count per key ("subject" or "subject queue"). The first subscriber of a key sends
/// <c>LS+</c>, the last one leaving sends <c>LS-</c>; a queue key re-sends <c>LS+ key weight</c>
/// on every change, the weight being the number of members it stands for.
/// </summary>
/// <remarks>
/// Thread-safe: observers call <see cref="Update"/> from whatever thread changed interest. The
/// subscriptions counted by <see cref="Initialize"/> are remembered for a few seconds
/// (nats-server's <c>tsub</c>): an observer call for one of them that raced with the snapshot
/// is not counted twice.
/// </remarks>
internal sealed class LeafInterestMap
{
    private static readonly long RaceWindow = Stopwatch.Frequency * 5;

    // All guarded by _lock.
    private readonly object _lock = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private HashSet<Subscription>? _snapshot;
    private long _snapshotTaken;
    private bool _initialized;

    /// <summary>Number of keys announced.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _counts.Count;
            }
        }
    }

    /// <summary>The announced keys and their counts (for monitoring).</summary>
    public KeyValuePair<string, int>[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _counts];
        }
    }

    /// <summary>
    /// Counts <paramref name="subscriptions"/> (already filtered) and the extra keys, and sends
    /// every key through <paramref name="send"/>, all under the map's lock so no update
    /// overtakes the initial announcement.
    /// </summary>
    public void Initialize(IEnumerable<Subscription> subscriptions, IEnumerable<string> extraKeys, Action<byte[]> send)
    {
        lock (_lock)
        {
            _snapshot = [];
            foreach (var sub in subscriptions)
            {
                var key = KeyOf(sub);
                _counts[key] = _counts.GetValueOrDefault(key) + Weight(sub);
                _snapshot.Add(sub);
            }
            foreach (var key in extraKeys)
            {
                _counts[key] = _counts.GetValueOrDefault(key) + 1;
            }
            _snapshotTaken = Stopwatch.GetTimestamp();
            _initialized = true;
            foreach (var (key, count) in _counts)
            {
                send(LeafProtocolWriter.SubLine(key, count));
            }
        }
    }

    /// <summary>
    /// Applies one subscription added (+1) or removed (-1) and sends the LS+/LS- it calls for.
    /// Before <see cref="Initialize"/> nothing is counted (the snapshot will include it).
    /// </summary>
    public void Update(Subscription subscription, int delta, Action<byte[]> send)
    {
        var key = KeyOf(subscription);
        lock (_lock)
        {
            if (!_initialized)
            {
                return;
            }
            if (_snapshot is not null)
            {
                if (Stopwatch.GetTimestamp() - _snapshotTaken > RaceWindow)
                {
                    _snapshot = null;
                }
                else if (_snapshot.Remove(subscription) && delta > 0)
                {
                    return;   // already counted by the snapshot
                }
            }
            var isQueue = subscription.Queue is not null;
            var n = _counts.GetValueOrDefault(key);
            if (delta < 0 && n == 0)
            {
                return;   // never announced (filtered, or removed before the snapshot)
            }
            var change = delta * Weight(subscription);
            var update = isQueue || n == 0 || n + change <= 0;
            n += change;
            if (n > 0)
            {
                _counts[key] = n;
            }
            else
            {
                _counts.Remove(key);
            }
            if (update)
            {
                send(LeafProtocolWriter.SubLine(key, Math.Max(n, 0)));
            }
        }
    }

    /// <summary>
    /// A counted queue subscription now stands for <see cref="Subscription.QueueWeight"/> members
    /// instead of <paramref name="oldWeight"/>: the key's count moves by the difference and
    /// <c>LS+ subject queue weight</c> goes out again. Nothing when the key was never announced.
    /// </summary>
    public void Reweigh(Subscription subscription, int oldWeight, Action<byte[]> send)
    {
        if (subscription.Queue is null)
        {
            return;
        }
        var key = KeyOf(subscription);
        lock (_lock)
        {
            if (!_initialized || !_counts.TryGetValue(key, out var n))
            {
                return;
            }
            n = Math.Max(1, n + Weight(subscription) - Math.Max(1, oldWeight));
            _counts[key] = n;
            send(LeafProtocolWriter.SubLine(key, n));
        }
    }

    /// <summary>Adds a key that is not a subscription (a loop-detection subject) if absent.</summary>
    public void ForceAdd(string key, Action<byte[]> send)
    {
        lock (_lock)
        {
            if (!_initialized || _counts.ContainsKey(key))
            {
                return;
            }
            _counts[key] = 1;
            send(LeafProtocolWriter.SubLine(key, 1));
        }
    }

    /// <summary>nats-server's keyFromSub: "subject" or "subject queue".</summary>
    public static string KeyOf(Subscription sub) =>
        sub.Queue is null ? sub.SubjectString : sub.SubjectString + " " + sub.QueueString;

    private static int Weight(Subscription sub) => sub.Queue is null ? 1 : Math.Max(1, sub.QueueWeight);
}
