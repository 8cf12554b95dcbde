namespace Nats.Core.Subjects;

/// <summary>
/// Relations between subjects and wildcard filters: does a subject fall under a filter, can two
/// filters match the same subject. All work token by token on UTF-8 bytes without allocating.
/// </summary>
/// <remarks>
/// A wildcard is always a whole token (<c>*</c> or <c>&gt;</c>), as in the sublist. nats-server's
/// isSubsetMatch and SubjectsCollide look only at a token's first byte in one comparison each,
/// so for them a literal token such as <c>*x</c> acts like a wildcard; here it is a literal,
/// which agrees with how the sublist routes messages.
/// </remarks>
public static class SubjectMatcher
{
    /// <summary>
    /// True when every subject matched by <paramref name="subject"/> is matched by
    /// <paramref name="filter"/>; for a literal subject: the filter matches it. <c>foo.*</c> is a
    /// subset of <c>&gt;</c>, <c>*.*</c> and <c>foo.*</c>, not of <c>foo.bar</c>. Empty tokens on
    /// either side give false.
    /// </summary>
    public static bool SubjectMatchesFilter(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> filter) =>
        IsSubsetMatch(subject, filter);

    /// <inheritdoc cref="SubjectMatchesFilter(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool SubjectMatchesFilter(string subject, string filter) => IsSubsetMatch(subject, filter);

    /// <inheritdoc cref="SubjectMatchesFilter(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool IsSubsetMatch(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> filter)
    {
        var subjectTokens = new SubjectTokenizer(subject);
        foreach (var f in new SubjectTokenizer(filter))
        {
            if (!subjectTokens.MoveNext() || f.IsEmpty)
            {
                return false;
            }
            if (SubjectValidator.IsFullWildcard(f))
            {
                return true;
            }
            var s = subjectTokens.Current;
            if (s.IsEmpty || SubjectValidator.IsFullWildcard(s))
            {
                return false;
            }
            if (SubjectValidator.IsPartialWildcard(s))
            {
                // A '*' in the subject is only covered by a '*' in the filter.
                if (!SubjectValidator.IsPartialWildcard(f))
                {
                    return false;
                }
                continue;
            }
            if (!SubjectValidator.IsPartialWildcard(f) && !s.SequenceEqual(f))
            {
                return false;
            }
        }
        return !subjectTokens.MoveNext();
    }

    /// <inheritdoc cref="SubjectMatchesFilter(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool IsSubsetMatch(string subject, string filter)
    {
        using var s = new Utf8Scratch(subject, stackalloc byte[Utf8Scratch.StackSize]);
        using var f = new Utf8Scratch(filter, stackalloc byte[Utf8Scratch.StackSize]);
        return IsSubsetMatch(s.Bytes, f.Bytes);
    }

    /// <summary>
    /// True when some literal subject could be matched by both <paramref name="subject1"/> and
    /// <paramref name="subject2"/> (for example <c>foo.*</c> and <c>*.bar</c>).
    /// </summary>
    public static bool SubjectsCollide(ReadOnlySpan<byte> subject1, ReadOnlySpan<byte> subject2)
    {
        if (subject1.SequenceEqual(subject2))
        {
            return true;
        }
        Analyze(subject1, out var count1, out var pwc1, out var fwc1);
        Analyze(subject2, out var count2, out var pwc2, out var fwc2);
        bool literal1 = !(pwc1 || fwc1), literal2 = !(pwc2 || fwc2);
        if (literal1 && literal2)
        {
            return false; // Literals collide only when equal, checked above.
        }
        if (literal1)
        {
            return IsSubsetMatch(subject1, subject2);
        }
        if (literal2)
        {
            return IsSubsetMatch(subject2, subject1);
        }
        // Both have wildcards. A shorter one can only reach the longer one's length through '>'.
        if ((count1 < count2 && !fwc1) || (count2 < count1 && !fwc2))
        {
            return false;
        }
        var tokens2 = new SubjectTokenizer(subject2);
        foreach (var t1 in new SubjectTokenizer(subject1))
        {
            if (!tokens2.MoveNext())
            {
                break;
            }
            if (!TokensCanMatch(t1, tokens2.Current))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc cref="SubjectsCollide(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool SubjectsCollide(string subject1, string subject2)
    {
        using var a = new Utf8Scratch(subject1, stackalloc byte[Utf8Scratch.StackSize]);
        using var b = new Utf8Scratch(subject2, stackalloc byte[Utf8Scratch.StackSize]);
        return SubjectsCollide(a.Bytes, b.Bytes);
    }

    /// <summary>
    /// True when the subscription subject <paramref name="pattern"/> (wildcards allowed) matches
    /// <paramref name="literal"/>, whose bytes are all taken literally. This is exactly the
    /// relation the sublist's trie walk computes, which is why the match cache uses it to find
    /// the entries an insert or remove affects.
    /// </summary>
    public static bool MatchLiteral(ReadOnlySpan<byte> literal, ReadOnlySpan<byte> pattern)
    {
        var literalTokens = new SubjectTokenizer(literal);
        foreach (var p in new SubjectTokenizer(pattern))
        {
            if (SubjectValidator.IsFullWildcard(p))
            {
                // '>' needs at least one more (non-empty) token.
                return literalTokens.MoveNext() && !literalTokens.Current.IsEmpty;
            }
            if (!literalTokens.MoveNext())
            {
                return false;
            }
            if (!SubjectValidator.IsPartialWildcard(p) && !p.SequenceEqual(literalTokens.Current))
            {
                return false;
            }
        }
        return !literalTokens.MoveNext();
    }

    /// <inheritdoc cref="MatchLiteral(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool MatchLiteral(string literal, string pattern)
    {
        using var l = new Utf8Scratch(literal, stackalloc byte[Utf8Scratch.StackSize]);
        using var p = new Utf8Scratch(pattern, stackalloc byte[Utf8Scratch.StackSize]);
        return MatchLiteral(l.Bytes, p.Bytes);
    }

    private static bool TokensCanMatch(ReadOnlySpan<byte> t1, ReadOnlySpan<byte> t2)
    {
        if (t1.IsEmpty || t2.IsEmpty)
        {
            return false;
        }
        return SubjectValidator.IsWildcardToken(t1) || SubjectValidator.IsWildcardToken(t2) || t1.SequenceEqual(t2);
    }

    private static void Analyze(ReadOnlySpan<byte> subject, out int count, out bool hasPwc, out bool hasFwc)
    {
        count = 0;
        hasPwc = hasFwc = false;
        foreach (var token in new SubjectTokenizer(subject))
        {
            count++;
            hasPwc |= SubjectValidator.IsPartialWildcard(token);
            hasFwc |= SubjectValidator.IsFullWildcard(token);
        }
    }
}
