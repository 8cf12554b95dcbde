namespace Nats.Core.Subjects;

/// <summary>
/// Interest in a subject, optionally as a member of a queue group, held by one
/// <see cref="IMessageSink"/>. Subscriptions live in an account's <see cref="Sublist"/>;
/// client connections, routes, plugins and internal services all subscribe the same way.
/// </summary>
public sealed class Subscription
{
    private string? _subjectString;
    private string? _queueString;
    private long _delivered;
    private volatile bool _closed;

    /// <summary>Creates a subscription.</summary>
    /// <param name="subject">The subject as UTF-8 bytes, possibly with <c>*</c> and <c>&gt;</c> wildcards.</param>
    /// <param name="queue">The queue group name, or null for a plain subscription.</param>
    /// <param name="sink">Where matching messages are delivered.</param>
    /// <param name="sid">The subscription id the owner uses on the wire (a client's SUB sid); empty for internal ones.</param>
    public Subscription(byte[] subject, byte[]? queue, IMessageSink sink, byte[]? sid = null)
    {
        Subject = subject;
        Queue = queue is { Length: > 0 } ? queue : null;
        Sink = sink;
        Sid = sid ?? [];
        LinkSink = sink as ILinkSink;
        IsLocalOnly = sink is ILocalOnlySink;
    }

    /// <summary>The subject as UTF-8 bytes.</summary>
    public byte[] Subject { get; }

    /// <summary>The queue group, or null.</summary>
    public byte[]? Queue { get; }

    /// <summary>The wire subscription id (a client's sid); empty for internal subscriptions.</summary>
    public byte[] Sid { get; }

    /// <summary>The receiver of matched messages.</summary>
    public IMessageSink Sink { get; }

    // What the router asks of the sink for every message it matches, tested once here: an
    // interface type test per subscription per message showed in pubsub-128 profiles.

    /// <summary>The sink as a link (route, leaf, gateway…), or null for a local sink.</summary>
    internal ILinkSink? LinkSink { get; }

    /// <summary>Whether the sink is an <see cref="ILocalOnlySink"/>.</summary>
    internal bool IsLocalOnly { get; }

    /// <summary>
    /// How many members of the queue group this subscription stands for. A route or another
    /// link represents all remote members of a group with one subscription and a weight.
    /// Once the subscription is in a sublist, change it with <see cref="Sublist.UpdateQueueWeight"/>
    /// so that cached match results follow.
    /// </summary>
    public int QueueWeight { get; set; } = 1;

    /// <summary>
    /// The cluster of the leaf node this interest came from (nats-server's <c>sub.origin</c>):
    /// set by the leaf link that learned it when the peer has a cluster name, and carried to
    /// routes that accept it as <c>LS+ origin account subject</c> (route INFO <c>lnoc</c>). A leaf
    /// link is never told of interest whose origin is its peer's own cluster: that cluster
    /// already has it, and a second path to it would deliver messages twice.
    /// </summary>
    public string? OriginCluster { get; init; }

    /// <summary>Auto-unsubscribe limit (UNSUB with max): 0 means unlimited.</summary>
    public long MaxMessages { get; set; }

    /// <summary>
    /// Messages delivered so far, as the sink counts them with <see cref="IncrementDelivered"/>
    /// (client and in-process connections count every delivery; routes do not count).
    /// </summary>
    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>True once the subscription was removed; in-flight deliveries must drop messages for it.</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Free slot for the owner's bookkeeping: a client connection puts itself here (which is
    /// how <c>/subsz</c> finds the subscriptions to list), a route the account of the interest.
    /// </summary>
    public object? Owner { get; set; }

    /// <summary>The subject as a string (allocated once, on first use; for monitoring and logs, never the hot path).</summary>
    public string SubjectString => _subjectString ??= System.Text.Encoding.UTF8.GetString(Subject);

    /// <summary>The queue group as a string, or null.</summary>
    public string? QueueString => Queue is null ? null : _queueString ??= System.Text.Encoding.UTF8.GetString(Queue);

    /// <summary>Counts one delivery and returns the new total.</summary>
    public long IncrementDelivered() => Interlocked.Increment(ref _delivered);

    /// <summary>Marks the subscription closed.</summary>
    public void MarkClosed() => _closed = true;

    /// <inheritdoc />
    public override string ToString() => Queue is null ? SubjectString : $"{SubjectString} [{QueueString}]";
}
