using Nats.Core.Subjects;

namespace Nats.Mqtt.Store;

/// <summary>A retained message: its stream sequence, topic, PUBLISH flags, extra headers and payload.</summary>
internal sealed record RetainedMessage(ulong Sequence, string Subject, string Topic, int Flags, byte[] Headers, byte[] Payload)
{
    public int Qos => (Flags >> 1) & 3;

    /// <summary>What it holds in memory, roughly (the cache's measure).</summary>
    public long Size => Headers.Length + Payload.Length + (Subject.Length * 4L) + 64;
}

/// <summary>
/// The account's retained messages, as <c>$MQTT_rmsgs</c> holds them: an index of subject →
/// stream sequence for all of them (as nats-server's <c>retmsgs</c>), and the messages themselves
/// in a cache bounded in bytes (least recently used out); a message not cached is read from the
/// stream when a subscription matches it. Filled at start from the stream, then kept in step by
/// every stored change (the stream's own consumer and the publisher's ack, whichever comes first;
/// the higher sequence wins, and a clear leaves a tombstone so a late older copy cannot bring the
/// message back).
/// </summary>
/// <remarks>Thread safety: one lock for the index and the cache; lookups copy the matches out.</remarks>
internal sealed class RetainedMessages
{
    /// <summary>The cache's default budget: 8 MiB of retained messages per account.</summary>
    public const long DefaultCacheBytes = 8L << 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _bySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, LinkedListNode<RetainedMessage>> _cached = [];
    private readonly LinkedList<RetainedMessage> _recent = new();
    private long _cachedBytes;
    private long _provisional;

    /// <summary>One subject: the stored sequence, whether a message is there (not a clear), and a provisional message not yet stored (kept until its ack).</summary>
    private readonly record struct Entry(ulong Sequence, bool Present, RetainedMessage? Pending);

    /// <summary>A retained message a subscription matches: in memory, or only its sequence (to read from the stream).</summary>
    internal readonly record struct Match(ulong Sequence, RetainedMessage? Message);

    /// <summary>The cache's budget in bytes (set lower by tests).</summary>
    public long CacheBudget { get; set; } = DefaultCacheBytes;

    /// <summary>Bytes of messages cached now.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_gate)
            {
                return _cachedBytes;
            }
        }
    }

    /// <summary>Retained messages kept now (tombstones aside).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySubject.Values.Count(e => e.Present);
            }
        }
    }

    /// <summary>Applies a stored change: a message, or (null) a clear, at <paramref name="sequence"/>.</summary>
    public void Apply(string subject, ulong sequence, RetainedMessage? message)
    {
        lock (_gate)
        {
            if (_bySubject.TryGetValue(subject, out var current) && current.Sequence >= sequence)
            {
                return;
            }
            _bySubject[subject] = new Entry(sequence, message is not null, null);
            if (current.Sequence != 0)
            {
                Uncache(current.Sequence);
            }
            if (message is not null)
            {
                CacheLocked(message);
            }
        }
    }

    /// <summary>
    /// Applies a change at once, before its store is acknowledged, so a subscriber right after the
    /// publisher (mosquitto_pub -r, then mosquitto_sub) sees it. It keeps the sequence known so
    /// far, so a late copy of an older message cannot replace it, and any newer stored change can.
    /// </summary>
    public void ApplyProvisional(string subject, RetainedMessage? message)
    {
        lock (_gate)
        {
            var known = _bySubject.TryGetValue(subject, out var current) ? current.Sequence : 0;
            // Sorted after every stored message; unique, as deliveries are tracked by (subscription, sequence).
            var pending = message is null ? null : message with { Sequence = (ulong.MaxValue / 2) + (ulong)Interlocked.Increment(ref _provisional) };
            _bySubject[subject] = new Entry(known, pending is not null, pending);
        }
    }

    /// <summary>Caches a message read from the stream (a subscription matched it).</summary>
    public void Cache(RetainedMessage message)
    {
        lock (_gate)
        {
            if (_bySubject.TryGetValue(message.Subject, out var current) && current.Sequence == message.Sequence && current.Present)
            {
                CacheLocked(message);
            }
        }
    }

    /// <summary>The retained messages whose subject a subscription subject matches (and, for <c>x.&gt;</c>, <c>x</c> itself), by sequence.</summary>
    public List<Match> Find(string filter, bool levelUp)
    {
        var found = new List<Match>();
        var parent = levelUp ? filter[..^2] : null;
        lock (_gate)
        {
            foreach (var (subject, entry) in _bySubject)
            {
                if (!entry.Present || !(SubjectMatcher.SubjectMatchesFilter(subject, filter) || (parent is not null && subject == parent)))
                {
                    continue;
                }
                if (entry.Pending is { } pending)
                {
                    found.Add(new Match(pending.Sequence, pending));
                }
                else if (_cached.TryGetValue(entry.Sequence, out var node))
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    found.Add(new Match(entry.Sequence, node.Value));
                }
                else
                {
                    found.Add(new Match(entry.Sequence, null));
                }
            }
        }
        found.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return found;
    }

    private void CacheLocked(RetainedMessage message)
    {
        if (_cached.ContainsKey(message.Sequence) || message.Size > CacheBudget)
        {
            return;
        }
        _cached[message.Sequence] = _recent.AddFirst(message);
        _cachedBytes += message.Size;
        while (_cachedBytes > CacheBudget && _recent.Last is { } oldest)
        {
            Uncache(oldest.Value.Sequence);
        }
    }

    private void Uncache(ulong sequence)
    {
        if (_cached.Remove(sequence, out var node))
        {
            _recent.Remove(node);
            _cachedBytes -= node.Value.Size;
        }
    }
}
