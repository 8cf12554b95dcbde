using Nats.Core.Subjects;

namespace Nats.Mqtt.Store;

/// <summary>A retained message as kept in memory: its stream sequence, topic, PUBLISH flags, extra headers and payload.</summary>
internal sealed record RetainedMessage(ulong Sequence, string Subject, string Topic, int Flags, byte[] Headers, byte[] Payload)
{
    public int Qos => (Flags >> 1) & 3;
}

/// <summary>
/// The account's retained messages by subject, as <c>$MQTT_rmsgs</c> holds them: filled at start
/// from the stream, then kept in step by every stored change (the stream's own consumer and the
/// publisher's ack, whichever comes first; the higher sequence wins, and a clear leaves a
/// tombstone so a late older copy cannot bring the message back).
/// </summary>
/// <remarks>Thread safety: one lock; lookups copy the matches out.</remarks>
internal sealed class RetainedMessages
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _bySubject = new(StringComparer.Ordinal);

    private readonly record struct Entry(ulong Sequence, RetainedMessage? Message);

    /// <summary>Retained messages kept now (tombstones aside).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySubject.Values.Count(e => e.Message is not null);
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
            _bySubject[subject] = new Entry(sequence, message);
        }
    }

    private long _provisional;

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
            _bySubject[subject] = new Entry(known, message is null ? null : message with { Sequence = (ulong.MaxValue / 2) + (ulong)Interlocked.Increment(ref _provisional) });
        }
    }

    /// <summary>The retained messages whose subject a subscription subject matches (and, for <c>x.&gt;</c>, <c>x</c> itself).</summary>
    public List<RetainedMessage> Match(string filter, bool levelUp)
    {
        var found = new List<RetainedMessage>();
        var parent = levelUp ? filter[..^2] : null;
        lock (_gate)
        {
            foreach (var (subject, entry) in _bySubject)
            {
                if (entry.Message is { } message &&
                    (SubjectMatcher.SubjectMatchesFilter(subject, filter) || (parent is not null && subject == parent)))
                {
                    found.Add(message);
                }
            }
        }
        found.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return found;
    }
}
