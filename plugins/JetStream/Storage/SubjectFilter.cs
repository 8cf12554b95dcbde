using System.Text;

namespace Nats.JetStream.Storage;

/// <summary>
/// One or more subject filters, prepared for matching record subjects (UTF-8 bytes) without
/// allocating. No filters, or a single <c>&gt;</c>, matches everything.
/// </summary>
public sealed class SubjectFilter
{
    private readonly byte[][] _utf8;

    public static readonly SubjectFilter All = new([]);

    public SubjectFilter(IReadOnlyList<string> filters)
    {
        var list = filters.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        MatchesAll = list.Length == 0 || list.Any(f => f == ">");
        Filters = MatchesAll ? [] : list;
        _utf8 = Filters.Select(Encoding.UTF8.GetBytes).ToArray();
        IsLiteral = Filters.Length == 1 && !SubjectMatch.HasWildcard(Filters[0]);
    }

    public static SubjectFilter Of(string? filter) => string.IsNullOrEmpty(filter) ? All : new SubjectFilter([filter]);

    /// <summary>The filters (empty when everything matches).</summary>
    public string[] Filters { get; }

    public bool MatchesAll { get; }

    /// <summary>A single subject without wildcards.</summary>
    public bool IsLiteral { get; }

    public bool Matches(ReadOnlySpan<byte> subject)
    {
        if (MatchesAll)
        {
            return true;
        }
        foreach (var f in _utf8)
        {
            if (SubjectMatch.Matches(subject, f))
            {
                return true;
            }
        }
        return false;
    }

    public bool Matches(string subject)
    {
        if (MatchesAll)
        {
            return true;
        }
        foreach (var f in Filters)
        {
            if (SubjectMatch.Matches(subject, f))
            {
                return true;
            }
        }
        return false;
    }
}
