using System.Text.Json.Serialization;

namespace Nats.Core.Subjects;

/// <summary>
/// Sublist statistics, with the JSON names nats-server's monitoring uses (<c>/subsz</c>,
/// account and server stats). Fanout figures are computed over the cached results.
/// </summary>
public sealed class SublistStats
{
    // Kept so that stats of several sublists (one per account) can be added up exactly.
    private long _totalFanout;
    private ulong _cacheHits;

    /// <summary>Empty stats, to <see cref="Add"/> others into.</summary>
    public SublistStats()
    {
    }

    internal SublistStats(
        uint subscriptions, uint cacheCount, ulong inserts, ulong removes, ulong matches, ulong cacheHits,
        uint maxFanout, long totalFanout)
    {
        NumSubscriptions = subscriptions;
        NumCache = cacheCount;
        NumInserts = inserts;
        NumRemoves = removes;
        NumMatches = matches;
        MaxFanout = maxFanout;
        _cacheHits = cacheHits;
        _totalFanout = totalFanout;
        Recompute();
    }

    /// <summary>Subscriptions in the sublist.</summary>
    [JsonPropertyName("num_subscriptions")]
    public uint NumSubscriptions { get; private set; }

    /// <summary>Cached match results.</summary>
    [JsonPropertyName("num_cache")]
    public uint NumCache { get; private set; }

    /// <summary>Inserts since creation.</summary>
    [JsonPropertyName("num_inserts")]
    public ulong NumInserts { get; private set; }

    /// <summary>Removes since creation.</summary>
    [JsonPropertyName("num_removes")]
    public ulong NumRemoves { get; private set; }

    /// <summary>Match calls since creation (hits of connections' private caches excluded).</summary>
    [JsonPropertyName("num_matches")]
    public ulong NumMatches { get; private set; }

    /// <summary>Share of matches answered by the shared cache, 0 to 1.</summary>
    [JsonPropertyName("cache_hit_rate")]
    public double CacheHitRate { get; private set; }

    /// <summary>Largest fanout among cached results.</summary>
    [JsonPropertyName("max_fanout")]
    public uint MaxFanout { get; private set; }

    /// <summary>Average fanout of cached results.</summary>
    [JsonPropertyName("avg_fanout")]
    public double AvgFanout { get; private set; }

    /// <summary>Adds <paramref name="other"/> into these stats (to total several accounts).</summary>
    public void Add(SublistStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        NumSubscriptions += other.NumSubscriptions;
        NumCache += other.NumCache;
        NumInserts += other.NumInserts;
        NumRemoves += other.NumRemoves;
        NumMatches += other.NumMatches;
        MaxFanout = Math.Max(MaxFanout, other.MaxFanout);
        _cacheHits += other._cacheHits;
        _totalFanout += other._totalFanout;
        Recompute();
    }

    private void Recompute()
    {
        AvgFanout = NumCache > 0 ? (double)_totalFanout / NumCache : 0;
        CacheHitRate = NumMatches > 0 ? (double)_cacheHits / NumMatches : 0;
    }
}
