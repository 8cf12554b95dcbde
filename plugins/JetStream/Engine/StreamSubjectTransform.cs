using System.Text;
using System.Text.RegularExpressions;

namespace Nats.JetStream.Engine;

/// <summary>
/// nats-server's subject transform as streams use it (republish, subject_transform): a message
/// subject matching the source pattern is rewritten into the destination, whose tokens are
/// literals, <c>$N</c> or <c>{{wildcard(N)}}</c> (the N-th <c>*</c> of the source, from 1) or a last
/// <c>&gt;</c> (what the source's last <c>&gt;</c> matched; both have one or neither). A <c>*</c> in
/// the destination is invalid, as in nats-server. The other mapping functions (partition, split…)
/// are not built: <see cref="TryCreate"/> names them. Immutable, safe from any thread.
/// </summary>
public sealed partial class StreamSubjectTransform
{
    private const int Rest = -1;
    private readonly string[] _source;

    /// <summary>Destination tokens: a literal (Index 0), a wildcard of the source (Index N ≥ 1) or the rest (<see cref="Rest"/>).</summary>
    private readonly (string Literal, int Index)[] _destination;

    private StreamSubjectTransform(string[] source, (string, int)[] destination)
    {
        _source = source;
        _destination = destination;
    }

    [GeneratedRegex(@"^\{\{\s*wildcard\s*\(\s*(\d+)\s*\)\s*\}\}$", RegexOptions.IgnoreCase)]
    private static partial Regex WildcardFunction();

    [GeneratedRegex(@"^\{\{\s*([A-Za-z]+)\s*\(.*\)\s*\}\}$")]
    private static partial Regex AnyFunction();

    /// <summary>
    /// The transform, or null when the pair is not valid (bad subjects, a wildcard the source lacks,
    /// with <paramref name="useEveryWildcard"/> (nats-server 2.9's republish) a source wildcard the
    /// destination leaves out); <paramref name="unsupported"/> names a mapping function not built here.
    /// </summary>
    public static StreamSubjectTransform? TryCreate(string source, string destination, bool useEveryWildcard, out string? unsupported)
    {
        unsupported = null;
        var src = source.Split('.');
        var dest = destination.Split('.');
        if (src.Any(t => t.Length == 0) || dest.Any(t => t.Length == 0 || t == "*"))
        {
            return null;
        }
        for (var i = 0; i < src.Length; i++)
        {
            if (src[i] == ">" && i != src.Length - 1)
            {
                return null;
            }
        }
        if ((src[^1] == ">") != (dest[^1] == ">"))
        {
            return null;
        }
        var wildcards = src.Count(t => t == "*");
        var used = new HashSet<int>();
        var parts = new (string, int)[dest.Length];
        for (var i = 0; i < dest.Length; i++)
        {
            var token = dest[i];
            int index;
            if (token == ">")
            {
                if (i != dest.Length - 1)
                {
                    return null;
                }
                parts[i] = ("", Rest);
                continue;
            }
            if (token.StartsWith('$') && int.TryParse(token.AsSpan(1), out var n))
            {
                index = n;
            }
            else if (WildcardFunction().Match(token) is { Success: true } m)
            {
                index = int.Parse(m.Groups[1].Value);
            }
            else if (AnyFunction().Match(token) is { Success: true } f)
            {
                unsupported = f.Groups[1].Value;
                return null;
            }
            else if (token.StartsWith("{{", StringComparison.Ordinal))
            {
                return null;
            }
            else
            {
                parts[i] = (token, 0);
                continue;
            }
            if (index < 1 || index > wildcards)
            {
                return null;
            }
            used.Add(index);
            parts[i] = ("", index);
        }
        if (useEveryWildcard && used.Count < wildcards)
        {
            return null;
        }
        return new StreamSubjectTransform(src, parts);
    }

    /// <summary>The transformed subject, or null when <paramref name="subject"/> does not match the source.</summary>
    public string? Apply(string subject)
    {
        var tokens = subject.Split('.');
        var matched = new List<string>(4);
        string? rest = null;
        for (var i = 0; i < _source.Length; i++)
        {
            var s = _source[i];
            if (s == ">")
            {
                if (tokens.Length <= i)
                {
                    return null;
                }
                rest = string.Join('.', tokens, i, tokens.Length - i);
                break;
            }
            if (i >= tokens.Length)
            {
                return null;
            }
            if (s == "*")
            {
                matched.Add(tokens[i]);
            }
            else if (s != tokens[i])
            {
                return null;
            }
            if (i == _source.Length - 1 && tokens.Length != _source.Length)
            {
                return null;
            }
        }
        var result = new StringBuilder(subject.Length + 16);
        foreach (var (literal, index) in _destination)
        {
            if (result.Length > 0)
            {
                result.Append('.');
            }
            result.Append(index switch { 0 => literal, Rest => rest, _ => matched[index - 1] });
        }
        return result.ToString();
    }
}
