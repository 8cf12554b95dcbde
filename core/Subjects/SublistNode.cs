namespace Nats.Core.Subjects;

/// <summary>
/// One token position in the sublist trie: the subscriptions whose subject ends here, and the
/// level below for longer subjects. Guarded by the sublist's lock.
/// </summary>
internal sealed class SublistNode
{
    /// <summary>Children: subjects with more tokens after this one.</summary>
    public SublistLevel? Next;

    /// <summary>Plain subscriptions ending here (by reference), created on first use.</summary>
    public HashSet<Subscription>? Plain;

    /// <summary>Queue subscriptions ending here, by queue name, created on first use.</summary>
    public Dictionary<byte[], HashSet<Subscription>>? Queues;

    /// <summary>True when subscriptions end at this node.</summary>
    public bool HasSubscriptions => Plain is { Count: > 0 } || Queues is { Count: > 0 };

    /// <summary>True when the node holds nothing and can be pruned.</summary>
    public bool IsEmpty => !HasSubscriptions && (Next is null || Next.NodeCount == 0);

    /// <summary>Adds <paramref name="sub"/>; false when it was already here.</summary>
    public bool Add(Subscription sub)
    {
        if (sub.Queue is null)
        {
            Plain ??= NewSet();
            return Plain.Add(sub);
        }
        Queues ??= new Dictionary<byte[], HashSet<Subscription>>(ByteKeyComparer.Instance);
        if (!Queues.TryGetValue(sub.Queue, out var members))
        {
            members = NewSet();
            Queues.Add(sub.Queue, members);
        }
        return members.Add(sub);
    }

    /// <summary>Removes <paramref name="sub"/>; false when it was not here.</summary>
    public bool Remove(Subscription sub)
    {
        if (sub.Queue is null)
        {
            return Plain is not null && Plain.Remove(sub);
        }
        if (Queues is null || !Queues.TryGetValue(sub.Queue, out var members) || !members.Remove(sub))
        {
            return false;
        }
        if (members.Count == 0)
        {
            Queues.Remove(sub.Queue);
        }
        return true;
    }

    /// <summary>Appends every subscription held here to <paramref name="into"/>.</summary>
    public void CollectInto(List<Subscription> into)
    {
        if (Plain is not null)
        {
            into.AddRange(Plain);
        }
        if (Queues is not null)
        {
            foreach (var members in Queues.Values)
            {
                into.AddRange(members);
            }
        }
    }

    // Subscription does not override equality, but say "by reference" explicitly: identity is
    // what a subscription is.
    private static HashSet<Subscription> NewSet() => new(ReferenceEqualityComparer.Instance);
}
