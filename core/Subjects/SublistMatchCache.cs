namespace Nats.Core.Subjects;

/// <summary>
/// A publisher's private front for a <see cref="Sublist"/>: the last few subjects it published
/// to and their results, valid while the sublist's <see cref="Sublist.Generation"/> is
/// unchanged. A steady publisher so never hashes into the shared structure nor touches a
/// shared counter: a hit is one generation read and one byte comparison.
/// </summary>
/// <remarks>
/// Not thread-safe: one per connection, used by its reading thread. It copies subjects into
/// buffers it reuses, so after warm-up even misses allocate only what the sublist does.
/// </remarks>
public sealed class SublistMatchCache
{
    /// <summary>Default number of entries.</summary>
    public const int DefaultCapacity = 8;

    private readonly Entry[] _entries;
    private long _generation;
    private int _count;
    private int _last;
    private int _nextVictim;

    /// <summary>Creates a cache in front of <paramref name="sublist"/>.</summary>
    public SublistMatchCache(Sublist sublist, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(sublist);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Sublist = sublist;
        _entries = new Entry[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _entries[i].Key = [];
        }
        _generation = sublist.Generation;
    }

    /// <summary>The sublist this cache fronts.</summary>
    public Sublist Sublist { get; }

    /// <summary>Entries currently held (valid or not yet invalidated).</summary>
    public int Count => _count;

    /// <summary>
    /// The result for <paramref name="subject"/>: from this cache when the sublist has not
    /// changed since it was stored, otherwise from <see cref="Sublist.Match(ReadOnlySpan{byte})"/>.
    /// </summary>
    public SublistResult Match(ReadOnlySpan<byte> subject)
    {
        // Read the generation before matching: if the sublist changes during the Match below,
        // the next call sees a new generation and drops what we store.
        var generation = Sublist.Generation;
        if (generation == _generation)
        {
            if (TryFind(subject, out var hit))
            {
                return hit;
            }
        }
        else
        {
            Invalidate(generation);
        }
        var result = Sublist.Match(subject);
        Store(subject, result);
        return result;
    }

    /// <summary>Drops every entry.</summary>
    public void Clear() => Invalidate(Sublist.Generation);

    private bool TryFind(ReadOnlySpan<byte> subject, out SublistResult result)
    {
        var entries = _entries;
        // A steady publisher repeats its last subject: try that entry first.
        ref var last = ref entries[_last];
        if (last.Result is not null && subject.SequenceEqual(last.Key.AsSpan(0, last.Length)))
        {
            result = last.Result;
            return true;
        }
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref entries[i];
            if (e.Length == subject.Length && e.Result is not null && subject.SequenceEqual(e.Key.AsSpan(0, e.Length)))
            {
                _last = i;
                result = e.Result;
                return true;
            }
        }
        result = null!;
        return false;
    }

    private void Store(ReadOnlySpan<byte> subject, SublistResult result)
    {
        int slot;
        if (_count < _entries.Length)
        {
            slot = _count++;
        }
        else
        {
            slot = _nextVictim;
            _nextVictim = (_nextVictim + 1) % _entries.Length;
        }
        ref var e = ref _entries[slot];
        if (e.Key.Length < subject.Length)
        {
            e.Key = new byte[Math.Max(subject.Length, 32)];
        }
        subject.CopyTo(e.Key);
        e.Length = subject.Length;
        e.Result = result;
        _last = slot;
    }

    private void Invalidate(long generation)
    {
        for (var i = 0; i < _count; i++)
        {
            // Drop results (they hold subscriptions) but keep the key buffers for reuse.
            _entries[i].Result = null;
            _entries[i].Length = 0;
        }
        _count = 0;
        _last = 0;
        _nextVictim = 0;
        _generation = generation;
    }

    private struct Entry
    {
        public byte[] Key;
        public int Length;
        public SublistResult? Result;
    }
}
