using System.Buffers;
using System.Text;

namespace Nats.Core.Subjects;

/// <summary>
/// The server's one subject transform, nats-server's (server/subject_transform.go): a subject
/// that matches <see cref="Source"/> is rewritten into <see cref="Destination"/>, token by token.
/// Subject mappings, import <c>to</c>/<c>prefix</c>, JetStream's <c>subject_transform</c> and
/// republish all use it.
/// </summary>
/// <remarks>
/// <para>Destination tokens: a literal; <c>$N</c> or <c>{{wildcard(N)}}</c> (what the source's N-th
/// <c>*</c> matched, from 1); <c>{{partition(n[,N…])}}</c> (FNV-1a of the named wildcards, or of
/// the whole subject, modulo n); <c>{{splitFromLeft(N,p)}}</c>, <c>{{splitFromRight(N,p)}}</c>
/// (one token split in two at p); <c>{{sliceFromLeft(N,s)}}</c>, <c>{{sliceFromRight(N,s)}}</c>
/// (cut into tokens of s bytes); <c>{{split(N,d)}}</c> (split at delimiter d);
/// <c>{{left(N,l)}}</c>, <c>{{right(N,l)}}</c>; <c>{{random(n)}}</c>; and a last <c>&gt;</c>, which
/// the source must end with too and which carries what the source's <c>&gt;</c> matched.</para>
/// <para>Lengths and positions count UTF-8 bytes, as nats-server's do. Immutable; safe from any thread.</para>
/// </remarks>
/// <example>
/// <code>
/// var transform = SubjectTransform.Create("orders.*.*", "shard.{{partition(3,1)}}.$2.$1");
/// string? mapped = transform.Match("orders.42.new");   // "shard.&lt;0..2&gt;.new.42", null when it does not match
/// </code>
/// </example>
public sealed class SubjectTransform
{
    private readonly byte[] _sourceUtf8;
    private readonly int _sourceTokens;
    private readonly Part[] _parts;
    private readonly bool _appendsRest;
    private readonly bool _isIdentity;

    private SubjectTransform(string source, string destination, Part[] parts, int sourceTokens)
    {
        Source = source;
        Destination = destination;
        _sourceUtf8 = Encoding.UTF8.GetBytes(source);
        _parts = parts;
        _sourceTokens = sourceTokens;
        _appendsRest = destination == ">" || destination.EndsWith(".>", StringComparison.Ordinal);
        _isIdentity = source == ">" && destination == ">";
    }

    /// <summary>The pattern subjects must match (may hold wildcards).</summary>
    public string Source { get; }

    /// <summary>The destination as written.</summary>
    public string Destination { get; }

    /// <summary>
    /// Builds a transform (nats-server's <c>NewSubjectTransformWithStrict</c>); an empty source is <c>&gt;</c>.
    /// </summary>
    /// <exception cref="TransformException">The pair is not valid; the message is nats-server's.</exception>
    public static SubjectTransform Create(string? source, string destination, SubjectTransformRules rules = SubjectTransformRules.Mapping)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (string.IsNullOrEmpty(source))
        {
            source = ">";
        }
        var sourceTokens = Info(source, out var sourceStars, out var sourceHasRest);
        var destinationTokens = Info(destination, out var destinationStars, out var destinationHasRest);
        if (sourceTokens is null || destinationTokens is null || destinationStars > 0 || sourceHasRest != destinationHasRest)
        {
            throw TransformException.BadSubject();
        }
        // Where the N-th '*' sits among the source's tokens (nats-server's sti map: 0 when absent).
        var starPositions = new List<int> { 0 };
        for (var i = 0; i < sourceTokens.Length; i++)
        {
            if (sourceTokens[i] == "*")
            {
                starPositions.Add(i);
            }
        }
        var hasWildcards = sourceStars > 0 || sourceHasRest;
        var parts = new Part[destinationTokens.Length];
        var used = 0;
        for (var i = 0; i < destinationTokens.Length; i++)
        {
            var token = TransformToken.Parse(destinationTokens[i]);
            if (!hasWildcards)
            {
                // A literal source has no wildcards to read: only random and partition (of the whole subject) make sense.
                parts[i] = token.Function switch
                {
                    TransformFunction.Literal => new Part(token, []),
                    TransformFunction.Random or TransformFunction.Partition => new Part(token, []),
                    _ => throw TransformException.IndexOutOfRange(token.Text),
                };
                continue;
            }
            if (rules.HasFlag(SubjectTransformRules.OnlyWildcards) && token.Function is not (TransformFunction.Literal or TransformFunction.Wildcard))
            {
                throw TransformException.OnlyWildcardForImport(token.Text);
            }
            var positions = new int[token.Wildcards.Length];
            for (var w = 0; w < positions.Length; w++)
            {
                var index = token.Wildcards[w];
                if (index > sourceStars)
                {
                    throw TransformException.IndexOutOfRange($"{token.Text}: [{index}]");
                }
                positions[w] = index >= 0 && index < starPositions.Count ? starPositions[index] : 0;
            }
            used += positions.Length;
            parts[i] = new Part(token, positions);
        }
        if (hasWildcards && rules.HasFlag(SubjectTransformRules.EveryWildcard) && used < sourceStars)
        {
            throw TransformException.NotUsingAllWildcards(destination);
        }
        return new SubjectTransform(source, destination, parts, sourceTokens.Length);
    }

    /// <summary>
    /// <see cref="Create"/> without the exception: the transform, or null and nats-server's
    /// reason in <paramref name="error"/>.
    /// </summary>
    public static SubjectTransform? TryCreate(string? source, string destination, SubjectTransformRules rules, out string? error)
    {
        try
        {
            error = null;
            return Create(source, destination, rules);
        }
        catch (TransformException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// An import's transform (<c>to</c>): the destination may also name the source's wildcards
    /// with <c>*</c>, in order (nats-server's <c>transformTokenize</c>).
    /// </summary>
    public static SubjectTransform ForImport(string source, string destination) =>
        Create(source, Tokenize(destination));

    /// <summary>A transform that puts <paramref name="prefix"/> in front of every subject.</summary>
    public static SubjectTransform Prefix(string source, string prefix) =>
        ForImport(source, prefix.TrimEnd('.') + "." + source);

    /// <summary>
    /// nats-server's <c>transformTokenize</c>: a subject's <c>*</c>s become <c>$1</c>, <c>$2</c>…
    /// (<c>foo.*.*</c> → <c>foo.$1.$2</c>), the identity destination of a wildcard source.
    /// </summary>
    public static string Tokenize(string subject)
    {
        var tokens = subject.Split('.');
        var n = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == "*")
            {
                tokens[i] = "$" + (++n).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return string.Join('.', tokens);
    }

    /// <summary>
    /// Transforms <paramref name="subject"/> when it is a literal subject that matches
    /// <see cref="Source"/> (nats-server's <c>Match</c>); null otherwise.
    /// </summary>
    public byte[]? Match(ReadOnlySpan<byte> subject)
    {
        if (_isIdentity)
        {
            return subject.ToArray();
        }
        if (!SubjectValidator.IsValidLiteralSubject(subject) || !SubjectMatcher.MatchLiteral(subject, _sourceUtf8))
        {
            return null;
        }
        return Apply(subject);
    }

    /// <inheritdoc cref="Match(ReadOnlySpan{byte})"/>
    public string? Match(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return Match(Encoding.UTF8.GetBytes(subject)) is { } mapped ? Encoding.UTF8.GetString(mapped) : null;
    }

    /// <summary>Transforms a subject already known to match <see cref="Source"/> (no check).</summary>
    public string Apply(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return Encoding.UTF8.GetString(Apply(Encoding.UTF8.GetBytes(subject)));
    }

    /// <summary>Transforms a subject already known to match <see cref="Source"/> (no check).</summary>
    public byte[] Apply(ReadOnlySpan<byte> subject)
    {
        var count = SubjectTokens.Count(subject);
        var rented = count > 32 ? ArrayPool<Range>.Shared.Rent(count) : null;
        Span<Range> tokens = rented ?? stackalloc Range[32];
        var n = 0;
        foreach (var range in subject.Split(SubjectValidator.Separator))
        {
            tokens[n++] = range;
        }
        var writer = new TransformWriter(subject.Length + 32);
        try
        {
            Write(subject, tokens[..n], ref writer);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
            if (rented is not null)
            {
                ArrayPool<Range>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Source} -> {Destination}";

    private void Write(ReadOnlySpan<byte> subject, ReadOnlySpan<Range> tokens, ref TransformWriter b)
    {
        var last = _parts.Length - 1;
        for (var i = 0; i < _parts.Length; i++)
        {
            var part = _parts[i];
            var token = part.Token;
            if (token.Function == TransformFunction.Literal)
            {
                if (token.Text == ">")
                {
                    break;
                }
                b.Write(token.Utf8);
            }
            else
            {
                WriteFunction(part, subject, tokens, ref b);
            }
            if (i < last)
            {
                b.Write(SubjectValidator.Separator);
            }
        }
        if (_appendsRest)
        {
            for (var i = _sourceTokens - 1; i < tokens.Length; i++)
            {
                b.Write(subject[tokens[i]]);
                if (i < tokens.Length - 1)
                {
                    b.Write(SubjectValidator.Separator);
                }
            }
        }
    }

    private static void WriteFunction(Part part, ReadOnlySpan<byte> subject, ReadOnlySpan<Range> tokens, ref TransformWriter b)
    {
        var number = part.Token.Number;
        switch (part.Token.Function)
        {
            case TransformFunction.Partition:
                b.WriteInt(Partition(part, subject, tokens, number));
                return;
            case TransformFunction.Random:
                b.WriteInt(number == 0 ? 0 : Random.Shared.Next() % number);
                return;
            case TransformFunction.Wildcard:
                if (part.Positions.Length > 0 && part.Positions[0] < tokens.Length)
                {
                    b.Write(subject[tokens[part.Positions[0]]]);
                }
                return;
        }
        var source = subject[tokens[part.Positions[0]]];
        var length = source.Length;
        var fits = number > 0 && number < length;
        switch (part.Token.Function)
        {
            case TransformFunction.SplitFromLeft when fits:
                b.Write(source[..number]);
                b.Write(SubjectValidator.Separator);
                b.Write(source[number..]);
                break;
            case TransformFunction.SplitFromRight when fits:
                b.Write(source[..(length - number)]);
                b.Write(SubjectValidator.Separator);
                b.Write(source[(length - number)..]);
                break;
            case TransformFunction.SliceFromLeft when fits:
                SliceFromLeft(source, number, ref b);
                break;
            case TransformFunction.SliceFromRight when fits:
                SliceFromRight(source, number, ref b);
                break;
            case TransformFunction.Left when fits:
                b.Write(source[..number]);
                break;
            case TransformFunction.Right when fits:
                b.Write(source[(length - number)..]);
                break;
            case TransformFunction.Split:
                Split(source, part.Token.Delimiter, ref b);
                break;
            default:
                // Too short to split or slice at the requested size: the token as it is.
                b.Write(source);
                break;
        }
    }

    private static long Partition(Part part, ReadOnlySpan<byte> subject, ReadOnlySpan<Range> tokens, int partitions)
    {
        if (partitions == 0)
        {
            return 0;
        }
        // FNV-1a 32 over the named wildcards' bytes, one after the other, or over the whole subject.
        var hash = 2166136261u;
        if (part.Positions.Length == 0)
        {
            hash = Fnv(hash, subject);
        }
        else
        {
            foreach (var position in part.Positions)
            {
                hash = Fnv(hash, subject[tokens[position]]);
            }
        }
        return hash % (uint)partitions;
    }

    private static uint Fnv(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }

    private static void SliceFromLeft(ReadOnlySpan<byte> source, int size, ref TransformWriter b)
    {
        for (var i = 0; i + size <= source.Length; i += size)
        {
            if (i != 0)
            {
                b.Write(SubjectValidator.Separator);
            }
            b.Write(source.Slice(i, size));
            if (i + size != source.Length && i + size + size > source.Length)
            {
                b.Write(SubjectValidator.Separator);
                b.Write(source[(i + size)..]);
                break;
            }
        }
    }

    private static void SliceFromRight(ReadOnlySpan<byte> source, int size, ref TransformWriter b)
    {
        var remainder = source.Length % size;
        if (remainder > 0)
        {
            b.Write(source[..remainder]);
            b.Write(SubjectValidator.Separator);
        }
        for (var i = remainder; i + size <= source.Length; i += size)
        {
            b.Write(source.Slice(i, size));
            if (i + size < source.Length)
            {
                b.Write(SubjectValidator.Separator);
            }
        }
    }

    // Go's strings.Split semantics with nats-server's rule for empty pieces: no empty tokens,
    // no leading or trailing separator.
    private static void Split(ReadOnlySpan<byte> source, ReadOnlySpan<byte> delimiter, ref TransformWriter b)
    {
        var pieces = new List<Range>();
        if (delimiter.IsEmpty)
        {
            // Go splits into UTF-8 sequences; the bytes of one rune stay together.
            var at = 0;
            while (at < source.Length)
            {
                Rune.DecodeFromUtf8(source[at..], out _, out var consumed);
                pieces.Add(new Range(at, at + Math.Max(1, consumed)));
                at += Math.Max(1, consumed);
            }
        }
        else
        {
            var start = 0;
            while (true)
            {
                var found = source[start..].IndexOf(delimiter);
                if (found < 0)
                {
                    pieces.Add(new Range(start, source.Length));
                    break;
                }
                pieces.Add(new Range(start, start + found));
                start += found + delimiter.Length;
            }
        }
        for (var j = 0; j < pieces.Count; j++)
        {
            var piece = source[pieces[j]];
            b.Write(piece);
            if (j < pieces.Count - 1 && !source[pieces[j + 1]].IsEmpty && !(j == 0 && piece.IsEmpty))
            {
                b.Write(SubjectValidator.Separator);
            }
        }
    }

    /// <summary>nats-server's <c>subjectInfo</c>: the tokens (null when invalid), its <c>*</c>s and whether it ends in <c>&gt;</c>.</summary>
    private static string[]? Info(string subject, out int stars, out bool hasRest)
    {
        stars = 0;
        hasRest = false;
        if (subject.Length == 0)
        {
            return null;
        }
        var tokens = subject.Split('.');
        foreach (var token in tokens)
        {
            if (token.Length == 0 || hasRest)
            {
                return null;
            }
            if (token == ">")
            {
                hasRest = true;
            }
            else if (token == "*")
            {
                stars++;
            }
        }
        return tokens;
    }

    /// <summary>A destination token and the subject positions (0-based) its wildcards read.</summary>
    private sealed record Part(TransformToken Token, int[] Positions);
}
