using System.Text.Json.Serialization;
using Nats.Core.Subjects;

namespace Nats.Core.Monitoring;

/// <summary><c>/subsz</c>: sublist statistics over the accounts, and optionally the subscriptions.</summary>
public sealed class Subsz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }

    /// <summary>The statistics, written inline as nats-server embeds them.</summary>
    [JsonIgnore] public SublistStats Stats { get; set; } = new();

    [JsonPropertyName("num_subscriptions")] public uint NumSubscriptions => Stats.NumSubscriptions;
    [JsonPropertyName("num_cache")] public uint NumCache => Stats.NumCache;
    [JsonPropertyName("num_inserts")] public ulong NumInserts => Stats.NumInserts;
    [JsonPropertyName("num_removes")] public ulong NumRemoves => Stats.NumRemoves;
    [JsonPropertyName("num_matches")] public ulong NumMatches => Stats.NumMatches;
    [JsonPropertyName("cache_hit_rate")] public double CacheHitRate => Stats.CacheHitRate;
    [JsonPropertyName("max_fanout")] public uint MaxFanout => Stats.MaxFanout;
    [JsonPropertyName("avg_fanout")] public double AvgFanout => Stats.AvgFanout;

    /// <summary>Subscriptions listed before paging (0 unless <c>subs=1</c>).</summary>
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    /// <summary>With <c>subs=1</c>: the page of subscriptions.</summary>
    [JsonPropertyName("subscriptions_list")] public IReadOnlyList<SubDetail>? Subscriptions { get; set; }
}

/// <summary>The query of <c>/subsz</c>.</summary>
public sealed class SubszOptions
{
    /// <summary>nats-server's default page size.</summary>
    public const int DefaultLimit = 1024;

    /// <summary><c>subs</c>: list subscriptions.</summary>
    public bool Subscriptions { get; set; }
    public int Offset { get; set; }
    public int Limit { get; set; } = DefaultLimit;
    /// <summary><c>acc</c>: only this account.</summary>
    public string? Account { get; set; }
    /// <summary><c>test</c>: only subscriptions a message on this literal subject would reach.</summary>
    public string? Test { get; set; }

    /// <summary>Reads the query, refusing what nats-server refuses with its wording.</summary>
    /// <exception cref="MonitoringException">A bad parameter.</exception>
    public static SubszOptions Parse(MonitoringRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subs = request.GetBool("subs");
        var offset = request.GetInt("offset");
        var limit = request.GetInt("limit");
        var test = request.Get("test");
        if (test is not null && !SubjectValidator.IsValidLiteralSubject(test))
        {
            throw new MonitoringException($"invalid test subject, must be valid publish subject: {test}");
        }
        return new SubszOptions
        {
            Subscriptions = subs,
            Offset = Math.Max(offset, 0),
            Limit = limit <= 0 ? DefaultLimit : limit,
            Account = request.Get("acc"),
            Test = test,
        };
    }
}
