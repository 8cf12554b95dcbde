namespace Nats.Core.Subjects;

/// <summary>
/// Collects what a trie walk finds, in reusable per-thread buffers, then copies it into an
/// exactly sized <see cref="SublistResult"/>. The walk itself thus allocates only the result.
/// </summary>
internal sealed class SublistResultBuilder
{
    [ThreadStatic]
    private static SublistResultBuilder? t_cached;

    private Subscription[] _plain = new Subscription[16];
    private int _plainCount;
    private Group[] _groups = new Group[4];
    private int _groupCount;

    /// <summary>Takes this thread's builder (or a new one if it is in use).</summary>
    public static SublistResultBuilder Rent()
    {
        var builder = t_cached ?? new SublistResultBuilder();
        t_cached = null;
        return builder;
    }

    /// <summary>Gives the builder back, dropping its references so they do not keep subscriptions alive.</summary>
    public static void Return(SublistResultBuilder builder)
    {
        builder.Reset();
        t_cached = builder;
    }

    /// <summary>Adds every subscription of <paramref name="node"/>.</summary>
    public void AddNode(SublistNode node)
    {
        if (node.Plain is { Count: > 0 } plain)
        {
            EnsureCapacity(ref _plain, _plainCount + plain.Count);
            plain.CopyTo(_plain, _plainCount);
            _plainCount += plain.Count;
        }
        if (node.Queues is { Count: > 0 } queues)
        {
            foreach (var (name, members) in queues)
            {
                ref var group = ref GroupFor(name);
                EnsureCapacity(ref group.Members, group.Count + members.Count);
                members.CopyTo(group.Members, group.Count);
                group.Count += members.Count;
            }
        }
    }

    /// <summary>The result of everything added.</summary>
    public SublistResult Build()
    {
        if (_plainCount == 0 && _groupCount == 0)
        {
            return SublistResult.Empty;
        }
        var plain = _plainCount == 0 ? [] : _plain.AsSpan(0, _plainCount).ToArray();
        var groups = _groupCount == 0 ? [] : new QueueGroup[_groupCount];
        for (var i = 0; i < _groupCount; i++)
        {
            ref var g = ref _groups[i];
            groups[i] = new QueueGroup(g.Name, g.Members.AsSpan(0, g.Count).ToArray());
        }
        return SublistResult.Create(plain, groups);
    }

    private ref Group GroupFor(byte[] name)
    {
        for (var i = 0; i < _groupCount; i++)
        {
            if (_groups[i].Name.AsSpan().SequenceEqual(name))
            {
                return ref _groups[i];
            }
        }
        if (_groupCount == _groups.Length)
        {
            Array.Resize(ref _groups, _groups.Length * 2);
        }
        ref var group = ref _groups[_groupCount++];
        group.Name = name;
        group.Members ??= new Subscription[8];
        group.Count = 0;
        return ref group;
    }

    private void Reset()
    {
        Array.Clear(_plain, 0, _plainCount);
        _plainCount = 0;
        for (var i = 0; i < _groupCount; i++)
        {
            ref var g = ref _groups[i];
            Array.Clear(g.Members, 0, g.Count);
            g.Count = 0;
            g.Name = null!;
        }
        _groupCount = 0;
    }

    private static void EnsureCapacity(ref Subscription[] array, int needed)
    {
        if (needed > array.Length)
        {
            Array.Resize(ref array, Math.Max(needed, array.Length * 2));
        }
    }

    private struct Group
    {
        public byte[] Name;
        public Subscription[] Members;
        public int Count;
    }
}
