namespace Nats.Core.Subjects;

/// <summary>
/// What a subject matched in a <see cref="Sublist"/>: plain subscriptions (each gets the
/// message) and queue groups (one member of each gets it).
/// </summary>
/// <remarks>
/// Immutable: the sublist never changes a result it handed out; an insert or remove builds new
/// results. A result can therefore be iterated, cached and shared across threads while the
/// sublist keeps changing. Empty results are all <see cref="Empty"/>.
/// </remarks>
public sealed class SublistResult
{
    private readonly Subscription[] _subscriptions;
    private readonly QueueGroup[] _queueGroups;

    private SublistResult(Subscription[] subscriptions, QueueGroup[] queueGroups)
    {
        _subscriptions = subscriptions;
        _queueGroups = queueGroups;
    }

    /// <summary>The shared empty result.</summary>
    public static SublistResult Empty { get; } = new([], []);

    /// <summary>Plain (non-queue) subscriptions.</summary>
    public ReadOnlySpan<Subscription> Subscriptions => _subscriptions;

    /// <summary>Queue groups, each with its matching members.</summary>
    public ReadOnlySpan<QueueGroup> QueueGroups => _queueGroups;

    /// <summary>True when nothing matched.</summary>
    public bool IsEmpty => _subscriptions.Length == 0 && _queueGroups.Length == 0;

    /// <summary>
    /// Plain subscriptions plus queue groups: how many deliveries one message causes (the
    /// fanout nats-server reports).
    /// </summary>
    public int Fanout => _subscriptions.Length + _queueGroups.Length;

    /// <summary>The group named <paramref name="queue"/>, or null.</summary>
    public QueueGroup? FindQueueGroup(ReadOnlySpan<byte> queue)
    {
        var i = IndexOfGroup(_queueGroups, queue);
        return i < 0 ? null : _queueGroups[i];
    }

    /// <inheritdoc />
    public override string ToString() => $"{_subscriptions.Length} subscriptions, {_queueGroups.Length} queue groups";

    /// <summary>Wraps finished arrays (owned by the result from now on).</summary>
    internal static SublistResult Create(Subscription[] subscriptions, QueueGroup[] queueGroups) =>
        subscriptions.Length == 0 && queueGroups.Length == 0 ? Empty : new SublistResult(subscriptions, queueGroups);

    /// <summary>A copy that also holds <paramref name="sub"/> (used to patch cached results on insert).</summary>
    internal SublistResult WithAdded(Subscription sub)
    {
        if (sub.Queue is null)
        {
            return new SublistResult(CopyOnWrite.Append(_subscriptions, sub), _queueGroups);
        }
        var i = IndexOfGroup(_queueGroups, sub.Queue);
        QueueGroup[] groups;
        if (i >= 0)
        {
            groups = (QueueGroup[])_queueGroups.Clone();
            groups[i] = groups[i].WithAdded(sub);
        }
        else
        {
            groups = CopyOnWrite.Append(_queueGroups, new QueueGroup(sub.Queue, [sub]));
        }
        return new SublistResult(_subscriptions, groups);
    }

    /// <summary>A copy without <paramref name="sub"/> (used to patch cached results on remove).</summary>
    internal SublistResult WithRemoved(Subscription sub)
    {
        if (sub.Queue is null)
        {
            var at = Array.IndexOf(_subscriptions, sub);
            return at < 0 ? this : Create(CopyOnWrite.RemoveAt(_subscriptions, at), _queueGroups);
        }
        var i = IndexOfGroup(_queueGroups, sub.Queue);
        if (i < 0)
        {
            return this;
        }
        var group = _queueGroups[i].WithRemoved(sub);
        if (ReferenceEquals(group, _queueGroups[i]))
        {
            return this;
        }
        QueueGroup[] groups;
        if (group is null)
        {
            groups = CopyOnWrite.RemoveAt(_queueGroups, i);
        }
        else
        {
            groups = (QueueGroup[])_queueGroups.Clone();
            groups[i] = group;
        }
        return Create(_subscriptions, groups);
    }

    /// <summary>A copy whose group for <paramref name="sub"/> re-reads the members' weights.</summary>
    internal SublistResult WithRefreshedWeights(Subscription sub)
    {
        var i = sub.Queue is null ? -1 : IndexOfGroup(_queueGroups, sub.Queue);
        if (i < 0 || Array.IndexOf(_queueGroups[i].MemberArray, sub) < 0)
        {
            return this;
        }
        var groups = (QueueGroup[])_queueGroups.Clone();
        groups[i] = new QueueGroup(groups[i].NameArray, groups[i].MemberArray);
        return new SublistResult(_subscriptions, groups);
    }

    private static int IndexOfGroup(QueueGroup[] groups, ReadOnlySpan<byte> queue)
    {
        // Linear: a subject rarely matches more than a few groups, and a scan of a small array
        // beats hashing (nats-server made the same choice for the same reason).
        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i].HasName(queue))
            {
                return i;
            }
        }
        return -1;
    }
}
