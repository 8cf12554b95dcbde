namespace Nats.Core.Subjects;

/// <summary>
/// The sublist's shared match cache: published subject bytes → <see cref="SublistResult"/>.
/// Reads take no lock and allocate nothing; writes are serialized by the owning sublist.
/// </summary>
/// <remarks>
/// <para>Open addressing with linear probing over a fixed array of immutable-key entries.
/// Entries are never deleted one by one (so no tombstones and no broken probe chains): a
/// change of interest patches an entry's result in place, and trimming or clearing wipes the
/// array and re-inserts survivors. A reader racing with a wipe can only miss, and a miss
/// falls back to the trie, so a reader never sees a wrong answer, only an occasional slow one.</para>
/// <para>Bounded like nats-server's cache: past <see cref="MaxEntries"/> it keeps a random
/// <see cref="SweepTarget"/> entries. Probes are capped at <see cref="MaxProbe"/> slots, so
/// even adversarial subjects cost a bounded lookup; a full probe window evicts its home slot.</para>
/// </remarks>
internal sealed class SublistCache
{
    internal const int SlotCount = 2048;
    internal const int MaxEntries = 1024;
    internal const int SweepTarget = 256;
    internal const int MaxProbe = 16;
    private const int Mask = SlotCount - 1;

    private readonly Entry?[] _slots = new Entry?[SlotCount];
    private readonly Entry[] _sweepScratch = new Entry[SweepTarget];
    private int _count;

    /// <summary>Entries currently cached.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Looks up <paramref name="subject"/>; lock-free and allocation-free.</summary>
    public bool TryGet(ReadOnlySpan<byte> subject, ulong hash, out SublistResult result)
    {
        var slots = _slots;
        var i = (int)hash & Mask;
        for (var probe = 0; probe < MaxProbe; probe++)
        {
            // Acquire: the entry's fields were written before it was published.
            var entry = Volatile.Read(ref slots[i]);
            if (entry is null)
            {
                break;
            }
            if (entry.Hash == hash && subject.SequenceEqual(entry.Key))
            {
                result = entry.Result;
                return true;
            }
            i = (i + 1) & Mask;
        }
        result = null!;
        return false;
    }

    /// <summary>Adds or replaces the result for <paramref name="subject"/>. Caller holds the sublist's cache lock.</summary>
    public void Store(ReadOnlySpan<byte> subject, ulong hash, SublistResult result)
    {
        var home = (int)hash & Mask;
        var i = home;
        for (var probe = 0; probe < MaxProbe; probe++)
        {
            var entry = _slots[i];
            if (entry is null)
            {
                Volatile.Write(ref _slots[i], new Entry(subject.ToArray(), hash, result));
                _count++;
                if (_count > MaxEntries)
                {
                    Sweep();
                }
                return;
            }
            if (entry.Hash == hash && subject.SequenceEqual(entry.Key))
            {
                entry.Result = result;
                return;
            }
            i = (i + 1) & Mask;
        }
        // The probe window is full: replace the home entry. Replacing (not deleting) keeps
        // every other key reachable.
        Volatile.Write(ref _slots[home], new Entry(subject.ToArray(), hash, result));
    }

    /// <summary>Adds <paramref name="sub"/> to every cached result its subject matches. Caller holds the sublist's cache lock.</summary>
    public void OnInserted(Subscription sub)
    {
        foreach (var entry in Affected(sub.Subject))
        {
            entry.Result = entry.Result.WithAdded(sub);
        }
    }

    /// <summary>Removes <paramref name="sub"/> from every cached result its subject matches. Caller holds the sublist's cache lock.</summary>
    public void OnRemoved(Subscription sub)
    {
        foreach (var entry in Affected(sub.Subject))
        {
            entry.Result = entry.Result.WithRemoved(sub);
        }
    }

    /// <summary>Rebuilds the queue weights of every cached result holding <paramref name="sub"/>. Caller holds the sublist's cache lock.</summary>
    public void OnWeightChanged(Subscription sub)
    {
        foreach (var entry in Affected(sub.Subject))
        {
            entry.Result = entry.Result.WithRefreshedWeights(sub);
        }
    }

    /// <summary>Drops everything. Caller holds the sublist's cache lock.</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Volatile.Write(ref _count, 0);
    }

    /// <summary>Fanout figures over the cached results, for statistics.</summary>
    public void Fanout(out long total, out int max, out int entries)
    {
        total = 0;
        max = 0;
        entries = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            var entry = Volatile.Read(ref _slots[i]);
            if (entry is null)
            {
                continue;
            }
            var fanout = entry.Result.Fanout;
            entries++;
            total += fanout;
            max = Math.Max(max, fanout);
        }
    }

    /// <summary>
    /// The entries whose subject <paramref name="subject"/> matches: for a literal subscription
    /// one hash lookup, for a wildcard one a scan of the (bounded) cache, as in nats-server.
    /// </summary>
    private AffectedEnumerable Affected(byte[] subject) => new(this, subject);

    /// <summary>Keeps a random <see cref="SweepTarget"/> entries (nats-server trims at random too).</summary>
    private void Sweep()
    {
        var kept = 0;
        var start = Random.Shared.Next(SlotCount);
        for (var n = 0; n < SlotCount && kept < SweepTarget; n++)
        {
            var entry = _slots[(start + n) & Mask];
            if (entry is not null)
            {
                _sweepScratch[kept++] = entry;
            }
        }
        Array.Clear(_slots);
        _count = 0;
        for (var k = 0; k < kept; k++)
        {
            var entry = _sweepScratch[k];
            _sweepScratch[k] = null!;
            var i = (int)entry.Hash & Mask;
            for (var probe = 0; probe < MaxProbe; probe++, i = (i + 1) & Mask)
            {
                if (_slots[i] is null)
                {
                    Volatile.Write(ref _slots[i], entry);
                    _count++;
                    break;
                }
            }
        }
    }

    private sealed class Entry(byte[] key, ulong hash, SublistResult result)
    {
        public readonly byte[] Key = key;
        public readonly ulong Hash = hash;

        // Patched in place under the write lock; lock-free readers see the old or the new result.
        private volatile SublistResult _result = result;

        public SublistResult Result
        {
            get => _result;
            set => _result = value;
        }
    }

    private readonly struct AffectedEnumerable(SublistCache cache, byte[] subject)
    {
        public AffectedEnumerator GetEnumerator() => new(cache, subject);
    }

    private struct AffectedEnumerator
    {
        private readonly Entry?[] _slots;
        private readonly byte[] _subject;
        private readonly bool _literal;
        private readonly ulong _hash;
        private int _index;
        private int _probe;

        public AffectedEnumerator(SublistCache cache, byte[] subject)
        {
            _slots = cache._slots;
            _subject = subject;
            _literal = SubjectValidator.IsLiteral(subject);
            _hash = _literal ? SubjectHash.Hash(subject) : 0;
            _index = _literal ? ((int)_hash & Mask) - 1 : -1;
            _probe = 0;
            Current = null!;
        }

        public Entry Current { get; private set; }

        public bool MoveNext()
        {
            if (_literal)
            {
                // A literal subscription affects only the entry of that exact subject.
                while (_probe++ < MaxProbe)
                {
                    _index = (_index + 1) & Mask;
                    var entry = _slots[_index];
                    if (entry is null)
                    {
                        return false;
                    }
                    if (entry.Hash == _hash && entry.Key.AsSpan().SequenceEqual(_subject))
                    {
                        Current = entry;
                        _probe = MaxProbe; // Keys are unique: stop after this one.
                        return true;
                    }
                }
                return false;
            }
            while (++_index < _slots.Length)
            {
                var entry = _slots[_index];
                if (entry is not null && SubjectMatcher.MatchLiteral(entry.Key, _subject))
                {
                    Current = entry;
                    return true;
                }
            }
            return false;
        }
    }
}
