using System.Text;

namespace Nats.JetStream.Storage;

/// <summary>NATS subject matching (<c>*</c> one token, <c>&gt;</c> the rest) on strings and on UTF-8 bytes.</summary>
public static class SubjectMatch
{
    /// <summary>Whether <paramref name="subject"/> (literal) matches <paramref name="filter"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> filter)
    {
        while (true)
        {
            var fi = filter.IndexOf((byte)'.');
            var ftok = fi < 0 ? filter : filter[..fi];
            if (ftok.Length == 1 && ftok[0] == (byte)'>')
            {
                return subject.Length > 0;
            }
            if (subject.Length == 0)
            {
                return false;
            }
            var si = subject.IndexOf((byte)'.');
            var stok = si < 0 ? subject : subject[..si];
            if (!(ftok.Length == 1 && ftok[0] == (byte)'*') && !ftok.SequenceEqual(stok))
            {
                return false;
            }
            if (fi < 0 || si < 0)
            {
                return fi < 0 && si < 0;
            }
            filter = filter[(fi + 1)..];
            subject = subject[(si + 1)..];
        }
    }

    /// <summary>Whether <paramref name="subject"/> (literal) matches <paramref name="filter"/>.</summary>
    public static bool Matches(ReadOnlySpan<char> subject, ReadOnlySpan<char> filter)
    {
        while (true)
        {
            var fi = filter.IndexOf('.');
            var ftok = fi < 0 ? filter : filter[..fi];
            if (ftok is ">")
            {
                return subject.Length > 0;
            }
            if (subject.Length == 0)
            {
                return false;
            }
            var si = subject.IndexOf('.');
            var stok = si < 0 ? subject : subject[..si];
            if (ftok is not "*" && !ftok.SequenceEqual(stok))
            {
                return false;
            }
            if (fi < 0 || si < 0)
            {
                return fi < 0 && si < 0;
            }
            filter = filter[(fi + 1)..];
            subject = subject[(si + 1)..];
        }
    }

    /// <summary>Whether the subject has wildcard tokens.</summary>
    public static bool HasWildcard(ReadOnlySpan<char> subject)
    {
        foreach (var token in new TokenEnumerator(subject))
        {
            if (token is "*" or ">")
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether some subject matches both filters (they overlap).</summary>
    public static bool Overlaps(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        while (true)
        {
            var ai = a.IndexOf('.');
            var bi = b.IndexOf('.');
            var at = ai < 0 ? a : a[..ai];
            var bt = bi < 0 ? b : b[..bi];
            if (at is ">" || bt is ">")
            {
                return true;
            }
            if (at is not "*" && bt is not "*" && !at.SequenceEqual(bt))
            {
                return false;
            }
            if (ai < 0 || bi < 0)
            {
                return ai < 0 && bi < 0;
            }
            a = a[(ai + 1)..];
            b = b[(bi + 1)..];
        }
    }

    /// <summary>Whether every subject matching <paramref name="inner"/> also matches <paramref name="outer"/>.</summary>
    public static bool IsSubsetOf(ReadOnlySpan<char> inner, ReadOnlySpan<char> outer)
    {
        while (true)
        {
            var ii = inner.IndexOf('.');
            var oi = outer.IndexOf('.');
            var it = ii < 0 ? inner : inner[..ii];
            var ot = oi < 0 ? outer : outer[..oi];
            if (ot is ">")
            {
                return true;
            }
            if (it is ">")
            {
                return false;
            }
            if (ot is not "*" && (it is "*" || !it.SequenceEqual(ot)))
            {
                return false;
            }
            if (ii < 0 || oi < 0)
            {
                return ii < 0 && oi < 0;
            }
            inner = inner[(ii + 1)..];
            outer = outer[(oi + 1)..];
        }
    }

    /// <summary>Whether a subject or filter is well formed: non-empty tokens, <c>&gt;</c> only last, no spaces.</summary>
    public static bool IsValid(ReadOnlySpan<char> subject, bool allowWildcards)
    {
        if (subject.Length == 0)
        {
            return false;
        }
        var rest = subject;
        while (true)
        {
            var i = rest.IndexOf('.');
            var token = i < 0 ? rest : rest[..i];
            if (token.Length == 0 || token.ContainsAny(" \t\r\n"))
            {
                return false;
            }
            if (token is "*" or ">")
            {
                if (!allowWildcards || (token is ">" && i >= 0))
                {
                    return false;
                }
            }
            if (i < 0)
            {
                return true;
            }
            rest = rest[(i + 1)..];
        }
    }

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Tokens of a subject, without allocating.</summary>
    public ref struct TokenEnumerator
    {
        private ReadOnlySpan<char> _rest;
        private bool _done;

        /// <summary>The tokens of <paramref name="subject"/>.</summary>
        public TokenEnumerator(ReadOnlySpan<char> subject)
        {
            _rest = subject;
            _done = false;
            Current = default;
        }

        /// <summary>The current token.</summary>
        public ReadOnlySpan<char> Current { get; private set; }

        /// <summary>For <c>foreach</c>.</summary>
        public readonly TokenEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next token; false after the last.</summary>
        public bool MoveNext()
        {
            if (_done)
            {
                return false;
            }
            var i = _rest.IndexOf('.');
            if (i < 0)
            {
                Current = _rest;
                _done = true;
                return true;
            }
            Current = _rest[..i];
            _rest = _rest[(i + 1)..];
            return true;
        }
    }
}
