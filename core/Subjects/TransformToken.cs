using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nats.Core.Subjects;

/// <summary>What one destination token of a <see cref="SubjectTransform"/> does.</summary>
internal enum TransformFunction
{
    Literal,
    Wildcard,
    Partition,
    SplitFromLeft,
    SplitFromRight,
    SliceFromLeft,
    SliceFromRight,
    Split,
    Left,
    Right,
    Random,
}

/// <summary>
/// One parsed destination token: a literal, <c>$N</c>, or a <c>{{function(args)}}</c> of
/// nats-server's subject_transform.go (<c>indexPlaceHolders</c>), with its wildcard positions
/// (1-based, of the source's <c>*</c>s), its number and its delimiter. Immutable.
/// </summary>
internal sealed partial class TransformToken
{
    private TransformToken(TransformFunction function, string text, int[] wildcards, int number = -1, string delimiter = "")
    {
        Function = function;
        Text = text;
        Utf8 = Encoding.UTF8.GetBytes(text);
        Wildcards = wildcards;
        Number = number;
        Delimiter = Encoding.UTF8.GetBytes(delimiter);
    }

    public TransformFunction Function { get; }

    /// <summary>The token as written in the destination.</summary>
    public string Text { get; }

    /// <summary><see cref="Text"/> as UTF-8 (what a literal writes).</summary>
    public byte[] Utf8 { get; }

    /// <summary>The wildcard numbers the function reads (1-based, as written).</summary>
    public int[] Wildcards { get; }

    /// <summary>Partitions, a position, a slice size or a random ceiling.</summary>
    public int Number { get; }

    /// <summary><c>split</c>'s delimiter.</summary>
    public byte[] Delimiter { get; }

    // nats-server's regexes: only the function's first letters are case-insensitive, and they
    // are searched for (not anchored) in a token that starts with {{ and ends with }}.
    [GeneratedRegex(@"{{\s*[pP]artition\s*\((.*)\)\s*}}")] private static partial Regex PartitionRegex();
    [GeneratedRegex(@"{{\s*[wW]ildcard\s*\((.*)\)\s*}}")] private static partial Regex WildcardRegex();
    [GeneratedRegex(@"{{\s*[sS]plit[fF]rom[lL]eft\s*\((.*)\)\s*}}")] private static partial Regex SplitFromLeftRegex();
    [GeneratedRegex(@"{{\s*[sS]plit[fF]rom[rR]ight\s*\((.*)\)\s*}}")] private static partial Regex SplitFromRightRegex();
    [GeneratedRegex(@"{{\s*[sS]lice[fF]rom[lL]eft\s*\((.*)\)\s*}}")] private static partial Regex SliceFromLeftRegex();
    [GeneratedRegex(@"{{\s*[sS]lice[fF]rom[rR]ight\s*\((.*)\)\s*}}")] private static partial Regex SliceFromRightRegex();
    [GeneratedRegex(@"{{\s*[sS]plit\s*\((.*)\)\s*}}")] private static partial Regex SplitRegex();
    [GeneratedRegex(@"{{\s*[lL]eft\s*\((.*)\)\s*}}")] private static partial Regex LeftRegex();
    [GeneratedRegex(@"{{\s*[rR]ight\s*\((.*)\)\s*}}")] private static partial Regex RightRegex();
    [GeneratedRegex(@"{{\s*[rR]andom\s*\((.*)\)\s*}}")] private static partial Regex RandomRegex();
    [GeneratedRegex(@",\s*")] private static partial Regex CommaRegex();

    /// <summary>A literal token (what <c>&gt;</c> is too).</summary>
    public static TransformToken Literal(string text) => new(TransformFunction.Literal, text, []);

    /// <summary>Parses a destination token; throws <see cref="TransformException"/> with nats-server's text.</summary>
    public static TransformToken Parse(string token)
    {
        if (token.Length <= 1)
        {
            return Literal(token);
        }
        if (token[0] == '$')
        {
            // The old $1 form; other $ tokens are literals (other things use them).
            return TryInt(token[1..], out var index) ? new TransformToken(TransformFunction.Wildcard, token, [index]) : Literal(token);
        }
        if (token.Length <= 4 || !token.StartsWith("{{", StringComparison.Ordinal) || !token.EndsWith("}}", StringComparison.Ordinal))
        {
            return Literal(token);
        }
        if (Args(WildcardRegex(), token) is { } wildcard)
        {
            if (wildcard.Length == 1 && wildcard[0].Length == 0)
            {
                throw TransformException.NotEnoughArgs(token);
            }
            if (wildcard.Length > 1)
            {
                throw TransformException.TooManyArgs(token);
            }
            return new TransformToken(TransformFunction.Wildcard, token, [Int(wildcard[0], token)]);
        }
        if (Args(PartitionRegex(), token) is { } partition)
        {
            var partitions = Int(partition[0], token);
            var positions = partition.Skip(1).Select(a => Int(a, token)).ToArray();
            return new TransformToken(TransformFunction.Partition, token, positions, partitions);
        }
        (Regex Regex, TransformFunction Function)[] indexAndNumber =
        [
            (SplitFromLeftRegex(), TransformFunction.SplitFromLeft),
            (SplitFromRightRegex(), TransformFunction.SplitFromRight),
            (SliceFromLeftRegex(), TransformFunction.SliceFromLeft),
            (SliceFromRightRegex(), TransformFunction.SliceFromRight),
            (RightRegex(), TransformFunction.Right),
            (LeftRegex(), TransformFunction.Left),
        ];
        foreach (var (regex, function) in indexAndNumber)
        {
            if (Args(regex, token) is { } args)
            {
                CheckTwo(args, token);
                return new TransformToken(function, token, [Int(args[0], token)], Int(args[1], token));
            }
        }
        if (Args(SplitRegex(), token) is { } split)
        {
            CheckTwo(split, token);
            var index = Int(split[0], token);
            if (split[1].Contains(' ', StringComparison.Ordinal) || split[1].Contains('.', StringComparison.Ordinal))
            {
                throw TransformException.InvalidArg(token);
            }
            return new TransformToken(TransformFunction.Split, token, [index], delimiter: split[1]);
        }
        if (Args(RandomRegex(), token) is { } random)
        {
            if (random.Length != 1)
            {
                throw TransformException.NotEnoughArgs(token);
            }
            return new TransformToken(TransformFunction.Random, token, [], Int(random[0], token));
        }
        throw TransformException.UnknownFunction(token);
    }

    private static void CheckTwo(string[] args, string token)
    {
        if (args.Length < 2)
        {
            throw TransformException.NotEnoughArgs(token);
        }
        if (args.Length > 2)
        {
            throw TransformException.TooManyArgs(token);
        }
    }

    private static string[]? Args(Regex regex, string token)
    {
        var match = regex.Match(token);
        return match.Success ? CommaRegex().Split(match.Groups[1].Value) : null;
    }

    private static int Int(string text, string token) =>
        TryInt(text.Trim(' '), out var value) ? value : throw TransformException.InvalidArg(token);

    // Go's strconv.Atoi: optional sign, decimal digits, nothing else.
    private static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
