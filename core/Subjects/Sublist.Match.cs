namespace Nats.Core.Subjects;

public sealed partial class Sublist
{
    /// <summary>
    /// The subscriptions interested in the published subject <paramref name="subject"/>.
    /// Allocation-free and lock-free when the result is cached. A subject with an empty token
    /// matches nothing.
    /// </summary>
    public SublistResult Match(ReadOnlySpan<byte> subject)
    {
        _matches.Increment();
        if (_cache is null)
        {
            return SubjectValidator.HasNoEmptyTokens(subject) ? MatchInTrie(subject) : SublistResult.Empty;
        }
        var hash = SubjectHash.Hash(subject);
        if (_cache.TryGet(subject, hash, out var cached))
        {
            return cached;
        }
        Interlocked.Increment(ref _cacheMisses);
        return MatchAndCache(subject, hash);
    }

    /// <inheritdoc cref="Match(ReadOnlySpan{byte})"/>
    public SublistResult Match(string subject)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return Match(utf8.Bytes);
    }

    /// <summary>
    /// True when anything is interested in <paramref name="subject"/>. Answers from the cache
    /// when it can; otherwise walks the trie, stopping at the first interest, without caching.
    /// Not counted in the match statistics.
    /// </summary>
    public bool HasInterest(ReadOnlySpan<byte> subject)
    {
        if (_cache is not null && _cache.TryGet(subject, SubjectHash.Hash(subject), out var cached))
        {
            return !cached.IsEmpty;
        }
        if (!SubjectValidator.HasNoEmptyTokens(subject))
        {
            return false;
        }
        _lock.EnterReadLock();
        try
        {
            return AnyInLevel(_root, subject);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc cref="HasInterest(ReadOnlySpan{byte})"/>
    public bool HasInterest(string subject)
    {
        using var utf8 = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        return HasInterest(utf8.Bytes);
    }

    private SublistResult MatchAndCache(ReadOnlySpan<byte> subject, ulong hash)
    {
        if (!SubjectValidator.HasNoEmptyTokens(subject))
        {
            return SublistResult.Empty; // Never cached, as in nats-server.
        }
        // Read the generation before walking: if anything changes after this point the
        // generation moves and the (possibly stale) result is not stored.
        var generation = Volatile.Read(ref _generation);
        var result = MatchInTrie(subject);
        lock (_cacheLock)
        {
            // Writers patch the cache and bump the generation under this lock, so either they
            // ran before (generation differs: skip) or they will patch what we store now.
            if (_generation == generation)
            {
                _cache!.Store(subject, hash, result);
            }
        }
        return result;
    }

    /// <summary>Walks the trie for a subject known to have no empty token.</summary>
    private SublistResult MatchInTrie(ReadOnlySpan<byte> subject)
    {
        var builder = SublistResultBuilder.Rent();
        try
        {
            _lock.EnterReadLock();
            try
            {
                MatchLevel(_root, subject, builder);
            }
            finally
            {
                _lock.ExitReadLock();
            }
            return builder.Build();
        }
        finally
        {
            SublistResultBuilder.Return(builder);
        }
    }

    /// <summary>
    /// Collects the nodes matching <paramref name="subject"/> (the tokens still to match) below
    /// <paramref name="level"/>: at each level the <c>&gt;</c> child matches the rest, the
    /// <c>*</c> child recurses on the remaining tokens, the literal child continues the loop.
    /// </summary>
    private static void MatchLevel(SublistLevel? level, ReadOnlySpan<byte> subject, SublistResultBuilder results)
    {
        SublistNode? node = null, pwc = null;
        while (level is not null)
        {
            var dot = subject.IndexOf(SubjectValidator.Separator);
            if (level.FullWildcard is { } fwc)
            {
                results.AddNode(fwc);
            }
            pwc = level.PartialWildcard;
            if (pwc is not null && dot >= 0)
            {
                MatchLevel(pwc.Next, subject[(dot + 1)..], results);
            }
            node = level.FindLiteral(dot < 0 ? subject : subject[..dot]);
            if (dot < 0)
            {
                // Last token: the literal and '*' children that end here match.
                if (node is not null)
                {
                    results.AddNode(node);
                }
                if (pwc is not null)
                {
                    results.AddNode(pwc);
                }
                return;
            }
            level = node?.Next;
            subject = subject[(dot + 1)..];
        }
    }

    /// <summary>Like <see cref="MatchLevel"/> but stops at the first subscription found.</summary>
    private static bool AnyInLevel(SublistLevel? level, ReadOnlySpan<byte> subject)
    {
        while (level is not null)
        {
            var dot = subject.IndexOf(SubjectValidator.Separator);
            if (level.FullWildcard is { } fwc && fwc.HasSubscriptions)
            {
                return true;
            }
            var pwc = level.PartialWildcard;
            if (pwc is not null && dot >= 0 && AnyInLevel(pwc.Next, subject[(dot + 1)..]))
            {
                return true;
            }
            var node = level.FindLiteral(dot < 0 ? subject : subject[..dot]);
            if (dot < 0)
            {
                return (node is not null && node.HasSubscriptions) || (pwc is not null && pwc.HasSubscriptions);
            }
            level = node?.Next;
            subject = subject[(dot + 1)..];
        }
        return false;
    }
}
