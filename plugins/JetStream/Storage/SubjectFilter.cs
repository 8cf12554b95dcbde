using System.Text;

namespace Nats.JetStream.Storage;

/// <summary>
/// One or more subject filters, prepared for matching record subjects (UTF-8 bytes) without
/// allocating. No filters, or a single <c>&gt;</c>, matches everything.
/// </summary>
public sealed class SubjectFilter
{
    private readonly byte[][] _utf8;

    /// <summary>Matches every subject.</summary>
    public static readonly SubjectFilter All = new([]);

    /// <summary>Matches a subject that any of <paramref name="filters"/> matches; none: every subject.</summary>
    public SubjectFilter(IReadOnlyList<string> filters)
    {
        var list = filters.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        MatchesAll = list.Length == 0 || list.Any(f => f == ">");
        Filters = MatchesAll ? [] : list;
        _utf8 = Filters.Select(Encoding.UTF8.GetBytes).ToArray();
        IsLiteral = Filters.Length == 1 && !SubjectMatch.HasWildcard(Filters[0]);
    }

    /// <summary>A filter of one subject (with wildcards or not); null or empty: every subject.</summary>
    public static SubjectFilter Of(string? filter) => string.IsNullOrEmpty(filter) ? All : new SubjectFilter([filter]);

    /// <summary>The filters (empty when everything matches).</summary>
    public string[] Filters { get; }

    /// <summary>True when there are no filters.</summary>
    public bool MatchesAll { get; }

    /// <summary>A single subject without wildcards.</summary>
    public bool IsLiteral { get; }

    /// <summary>Whether <paramref name="subject"/> (UTF-8) matches.</summary>
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

    /// <summary>Whether <paramref name="subject"/> matches.</summary>
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
