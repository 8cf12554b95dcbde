namespace Nats.Core.Subjects;

/// <summary>
/// The subscription index of one account: a trie over subject tokens with dedicated <c>*</c>
/// and <c>&gt;</c> slots per level, fronted by a shared match cache.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Built for many concurrent <see cref="Match(ReadOnlySpan{byte})"/> callers
/// and rarer inserts and removes:</para>
/// <list type="bullet">
/// <item>A cache hit takes no lock and allocates nothing.</item>
/// <item>A miss walks the trie under a shared read lock (misses run in parallel), then stores
/// the result unless the sublist changed meanwhile.</item>
/// <item>Insert and remove take the write lock, change the trie, patch the cached results they
/// affect, and only then bump <see cref="Generation"/>. So a caller that read generation
/// <c>g</c> and then matched sees every change up to <c>g</c>; <see cref="SublistMatchCache"/>
/// relies on that.</item>
/// </list>
/// <para>Results are immutable; a caller may keep and iterate one while the sublist changes.</para>
/// </remarks>
public sealed partial class Sublist
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    // Serializes writes to the cache and generation bumps. Taken alone by the miss path and
    // inside the write lock by insert/remove (lock order: _lock, then _cacheLock).
    private readonly Lock _cacheLock = new();
    private readonly SublistLevel _root = new();
    private readonly SublistCache? _cache;
    private readonly StripedCounter _matches = new();

    // Hits are matches minus misses: counting misses (on the slow path) instead of hits keeps
    // a cache hit down to one counter bump.
    private long _cacheMisses;

    private long _generation;
    private int _count;
    private long _inserts;
    private long _removes;

    /// <summary>Creates an empty sublist.</summary>
    /// <param name="enableCache">
    /// Keep the shared match cache (the default). nats-server's <c>no_sublist_cache</c> turns it
    /// off for accounts whose interest changes so often that patching costs more than it saves.
    /// </param>
    public Sublist(bool enableCache = true)
    {
        _cache = enableCache ? new SublistCache() : null;
    }

    /// <summary>True when the shared match cache is on.</summary>
    public bool IsCacheEnabled => _cache is not null;

    /// <summary>The number of subscriptions.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The number of cached match results.</summary>
    public int CacheCount => _cache?.Count ?? 0;

    /// <summary>
    /// Changes on every insert, remove and weight update. A result obtained after reading
    /// generation <c>g</c> includes every change up to <c>g</c> (and possibly the one in
    /// progress, whose cache patch precedes its bump), so it may be reused for as long as the
    /// generation still reads <c>g</c>.
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Adds <paramref name="sub"/>. Adding a subscription that is already present does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is not a valid subject.</exception>
    public void Insert(Subscription sub)
    {
        if (!TryInsert(sub))
        {
            throw new ArgumentException($"Invalid subject '{sub.SubjectString}'.", nameof(sub));
        }
    }

    /// <summary>
    /// Adds <paramref name="sub"/>; false (and nothing changes) when its subject is invalid.
    /// Adding a subscription that is already present does nothing and returns true.
    /// </summary>
    public bool TryInsert(Subscription sub)
    {
        ArgumentNullException.ThrowIfNull(sub);
        var subject = sub.Subject;
        if (!SubjectValidator.IsValidSubject(subject))
        {
            return false;
        }
        _lock.EnterWriteLock();
        try
        {
            var level = _root;
            ReadOnlySpan<byte> rest = subject;
            SublistNode node;
            while (true)
            {
                var dot = rest.IndexOf(SubjectValidator.Separator);
                node = level.GetOrAdd(dot < 0 ? rest : rest[..dot]);
                if (dot < 0)
                {
                    break;
                }
                level = node.Next ??= new SublistLevel();
                rest = rest[(dot + 1)..];
            }
            if (!node.Add(sub))
            {
                return true;
            }
            _count++;
            _inserts++;
            lock (_cacheLock)
            {
                _cache?.OnInserted(sub);
                Interlocked.Increment(ref _generation);
            }
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes <paramref name="sub"/>; false when it was not in the sublist.</summary>
    public bool Remove(Subscription sub)
    {
        ArgumentNullException.ThrowIfNull(sub);
        if (!SubjectValidator.HasValidTokens(sub.Subject))
        {
            return false;
        }
        _lock.EnterWriteLock();
        try
        {
            if (!RemoveFromTrie(sub))
            {
                return false;
            }
            lock (_cacheLock)
            {
                _cache?.OnRemoved(sub);
                Interlocked.Increment(ref _generation);
            }
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Removes many subscriptions under one lock (a connection going away). Subscriptions that
    /// are not present are skipped. Returns how many were removed.
    /// </summary>
    public int RemoveBatch(IEnumerable<Subscription> subs)
    {
        ArgumentNullException.ThrowIfNull(subs);
        // Patching the cache per removal is cheap for a few subscriptions; past that, clearing
        // it once is cheaper (nats-server always clears).
        const int patchLimit = 16;
        List<Subscription>? removed = null;
        var removedCount = 0;
        _lock.EnterWriteLock();
        try
        {
            foreach (var sub in subs)
            {
                if (sub is null || !SubjectValidator.HasValidTokens(sub.Subject) || !RemoveFromTrie(sub))
                {
                    continue;
                }
                removedCount++;
                if (removedCount <= patchLimit)
                {
                    (removed ??= []).Add(sub);
                }
            }
            if (removedCount == 0)
            {
                return 0;
            }
            lock (_cacheLock)
            {
                if (_cache is not null)
                {
                    if (removedCount <= patchLimit)
                    {
                        foreach (var sub in removed!)
                        {
                            _cache.OnRemoved(sub);
                        }
                    }
                    else
                    {
                        _cache.Clear();
                    }
                }
                Interlocked.Increment(ref _generation);
            }
            return removedCount;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Sets the queue weight of <paramref name="sub"/> (a route or link standing for that many
    /// remote members) and rebuilds the cached results that hold it. Use this, not the
    /// <see cref="Subscription.QueueWeight"/> setter, once the subscription is inserted.
    /// </summary>
    public void UpdateQueueWeight(Subscription sub, int weight)
    {
        ArgumentNullException.ThrowIfNull(sub);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        _lock.EnterWriteLock();
        try
        {
            sub.QueueWeight = weight;
            lock (_cacheLock)
            {
                _cache?.OnWeightChanged(sub);
                Interlocked.Increment(ref _generation);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>A snapshot of every subscription (to propagate interest to other servers).</summary>
    public List<Subscription> All()
    {
        var list = new List<Subscription>(Count);
        All(list);
        return list;
    }

    /// <summary>Appends every subscription to <paramref name="into"/>.</summary>
    public void All(List<Subscription> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        _lock.EnterReadLock();
        try
        {
            CollectAll(_root, into);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Current statistics (the figures of nats-server's <c>/subsz</c>).</summary>
    public SublistStats Stats()
    {
        int count;
        long inserts, removes;
        _lock.EnterReadLock();
        try
        {
            count = _count;
            inserts = _inserts;
            removes = _removes;
        }
        finally
        {
            _lock.ExitReadLock();
        }
        var matches = _matches.Value;
        long totalFanout = 0;
        int maxFanout = 0, entries = 0;
        _cache?.Fanout(out totalFanout, out maxFanout, out entries);
        return new SublistStats(
            (uint)count, (uint)entries, (ulong)inserts, (ulong)removes,
            (ulong)matches, (ulong)CountHits(matches), (uint)maxFanout, totalFanout);
    }

    /// <summary>Matches answered by the shared cache (for tests).</summary>
    internal long CacheHits => CountHits(_matches.Value);

    /// <summary>The depth of the trie (for tests of pruning).</summary>
    internal int NumLevels()
    {
        _lock.EnterReadLock();
        try
        {
            return Depth(_root, 0);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private long CountHits(long matches) =>
        _cache is null ? 0 : Math.Max(0, matches - Interlocked.Read(ref _cacheMisses));

    private bool RemoveFromTrie(Subscription sub)
    {
        if (!RemoveFrom(_root, sub.Subject, sub))
        {
            return false;
        }
        _count--;
        _removes++;
        return true;
    }

    /// <summary>Removes <paramref name="sub"/> below <paramref name="level"/>, pruning nodes left empty on the way back.</summary>
    private static bool RemoveFrom(SublistLevel level, ReadOnlySpan<byte> subject, Subscription sub)
    {
        var dot = subject.IndexOf(SubjectValidator.Separator);
        var token = dot < 0 ? subject : subject[..dot];
        var node = level.Find(token);
        if (node is null)
        {
            return false;
        }
        var removed = dot < 0
            ? node.Remove(sub)
            : node.Next is not null && RemoveFrom(node.Next, subject[(dot + 1)..], sub);
        if (removed && node.IsEmpty)
        {
            level.Prune(node, token);
        }
        return removed;
    }

    private static void CollectAll(SublistLevel level, List<Subscription> into)
    {
        foreach (var node in level.LiteralNodes)
        {
            CollectNode(node, into);
        }
        if (level.PartialWildcard is { } pwc)
        {
            CollectNode(pwc, into);
        }
        if (level.FullWildcard is { } fwc)
        {
            CollectNode(fwc, into);
        }
    }

    private static void CollectNode(SublistNode node, List<Subscription> into)
    {
        node.CollectInto(into);
        if (node.Next is not null)
        {
            CollectAll(node.Next, into);
        }
    }

    private static int Depth(SublistLevel? level, int depth)
    {
        if (level is null || level.NodeCount == 0)
        {
            return depth;
        }
        depth++;
        var max = depth;
        foreach (var node in level.LiteralNodes)
        {
            max = Math.Max(max, Depth(node.Next, depth));
        }
        if (level.PartialWildcard is { } pwc)
        {
            max = Math.Max(max, Depth(pwc.Next, depth));
        }
        if (level.FullWildcard is { } fwc)
        {
            max = Math.Max(max, Depth(fwc.Next, depth));
        }
        return max;
    }
}
