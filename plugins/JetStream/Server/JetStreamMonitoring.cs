using System.Text.Json;
using System.Text.Json.Serialization;
using Nats.Core.Monitoring;
using Nats.JetStream.Engine;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Server;

/// <summary>nats-server's <c>JetStreamConfig</c> (in <c>/varz</c> and <c>/jsz</c>).</summary>
public sealed class JetStreamConfigInfo
{
    [JsonPropertyName("max_memory")] public long MaxMemory { get; init; }
    [JsonPropertyName("max_storage")] public long MaxStore { get; init; }
    [JsonPropertyName("store_dir"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StoreDir { get; init; }
    [JsonPropertyName("sync_interval"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long SyncInterval { get; init; }
    [JsonPropertyName("sync_always"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool SyncAlways { get; init; }
    [JsonPropertyName("domain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Domain { get; init; }
}

/// <summary>nats-server's <c>JetStreamAPIStats</c>.</summary>
public sealed class JetStreamApiStats
{
    [JsonPropertyName("total")] public ulong Total { get; init; }
    [JsonPropertyName("errors")] public ulong Errors { get; init; }
}

/// <summary>nats-server's <c>JetStreamStats</c>.</summary>
public class JetStreamStats
{
    [JsonPropertyName("memory")] public ulong Memory { get; init; }
    [JsonPropertyName("storage")] public ulong Store { get; init; }
    [JsonPropertyName("reserved_memory")] public ulong ReservedMemory { get; init; }
    [JsonPropertyName("reserved_storage")] public ulong ReservedStore { get; init; }
    [JsonPropertyName("accounts")] public int Accounts { get; init; }
    [JsonPropertyName("ha_assets")] public int HaAssets { get; init; }
    [JsonPropertyName("api")] public JetStreamApiStats Api { get; init; } = new();
}

/// <summary>The <c>/varz</c> <c>jetstream</c> block (<c>JetStreamVarz</c>).</summary>
public sealed class JetStreamVarz
{
    [JsonPropertyName("config")] public JetStreamConfigInfo? Config { get; init; }
    [JsonPropertyName("stats")] public JetStreamStats? Stats { get; init; }
}

/// <summary>One account of <c>/jsz</c>'s <c>account_details</c> (<c>AccountDetail</c>).</summary>
public sealed class JszAccountDetail : JetStreamStats
{
    [JsonPropertyName("name")][JsonPropertyOrder(-2)] public string Name { get; init; } = "";
    [JsonPropertyName("id")][JsonPropertyOrder(-1)] public string Id { get; init; } = "";
    [JsonPropertyName("stream_detail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<JsonElement>? Streams { get; init; }
}

/// <summary><c>/jsz</c> (<c>JSInfo</c>).</summary>
public sealed class JszResponse
{
    [JsonPropertyName("server_id")] public string ServerId { get; init; } = "";
    [JsonPropertyName("now"), JsonConverter(typeof(Api.GoTimeConverter))] public DateTime Now { get; init; }
    [JsonPropertyName("disabled"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Disabled { get; init; }
    [JsonPropertyName("config")] public JetStreamConfigInfo Config { get; init; } = new();
    [JsonPropertyName("memory")] public ulong Memory { get; init; }
    [JsonPropertyName("storage")] public ulong Store { get; init; }
    [JsonPropertyName("reserved_memory")] public ulong ReservedMemory { get; init; }
    [JsonPropertyName("reserved_storage")] public ulong ReservedStore { get; init; }
    [JsonPropertyName("accounts")] public int Accounts { get; init; }
    [JsonPropertyName("ha_assets")] public int HaAssets { get; init; }
    [JsonPropertyName("api")] public JetStreamApiStats Api { get; init; } = new();
    [JsonPropertyName("streams")] public int Streams { get; init; }
    [JsonPropertyName("consumers")] public int Consumers { get; init; }
    [JsonPropertyName("messages")] public ulong Messages { get; init; }
    [JsonPropertyName("bytes")] public ulong Bytes { get; init; }
    [JsonPropertyName("account_details"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<JszAccountDetail>? AccountDetails { get; init; }
}

/// <summary>Builds <c>/varz</c>'s block and <c>/jsz</c> from the running accounts.</summary>
internal static class JetStreamMonitoring
{
    public static JetStreamConfigInfo Config(JetStreamOptions options, (long Memory, long Store) limits) => new()
    {
        MaxMemory = limits.Memory,
        MaxStore = limits.Store,
        StoreDir = options.EffectiveStoreDir,
        SyncAlways = options.Sync == SyncMode.Always,
        SyncInterval = options.Sync == SyncMode.Interval ? options.SyncInterval.Ticks * 100 : 0,
        Domain = options.Domain.Length > 0 ? options.Domain : null,
    };

    public static JetStreamStats Stats(IReadOnlyList<AccountHost> hosts)
    {
        var all = hosts.Select(h => h.Js.Stats()).ToList();
        return new JetStreamStats
        {
            Memory = Sum(all, s => s.Memory),
            Store = Sum(all, s => s.Store),
            Accounts = hosts.Count,
            Api = new JetStreamApiStats { Total = Sum(all, s => s.ApiTotal), Errors = Sum(all, s => s.ApiErrors) },
        };
    }

    /// <summary>
    /// <c>/jsz</c> with nats-server's options: <c>acc</c> (one account), <c>accounts</c>,
    /// <c>streams</c>, <c>consumers</c>, <c>config</c>, <c>offset</c>/<c>limit</c> over accounts.
    /// </summary>
    public static JszResponse Jsz(string serverId, JetStreamOptions options, (long Memory, long Store) limits, IReadOnlyList<AccountHost> hosts, MonitoringRequest request)
    {
        if (!options.Enabled)
        {
            return new JszResponse { ServerId = serverId, Now = DateTime.UtcNow, Disabled = true };
        }
        var stats = hosts.Select(h => (Host: h, Stats: h.Js.Stats())).ToList();
        var consumers = request.GetBool("consumers");
        var streams = consumers || request.GetBool("streams");
        var config = request.GetBool("config");
        var accountFilter = request.Get("acc");
        var details = request.GetBool("accounts") || accountFilter is not null || streams;
        List<JszAccountDetail>? accountDetails = null;
        if (details)
        {
            var offset = Math.Max(0, request.GetInt("offset"));
            var limit = request.GetInt("limit", 1024);
            accountDetails = [.. stats
                .Where(s => accountFilter is null || s.Host.Account.Name == accountFilter)
                .OrderBy(s => s.Host.Account.Name, StringComparer.Ordinal)
                .Skip(offset)
                .Take(limit <= 0 ? 1024 : limit)
                .Select(s => new JszAccountDetail
                {
                    Name = s.Host.Account.Name,
                    Id = s.Host.Account.Name,
                    Memory = s.Stats.Memory,
                    Store = s.Stats.Store,
                    ReservedMemory = Reserved(s.Host.Js.Options.MaxMemory),
                    ReservedStore = Reserved(s.Host.Js.Options.MaxStore),
                    Api = new JetStreamApiStats { Total = s.Stats.ApiTotal, Errors = s.Stats.ApiErrors },
                    Streams = streams ? s.Host.Js.StreamDetails(config, consumers) : null,
                })];
        }
        return new JszResponse
        {
            ServerId = serverId,
            Now = DateTime.UtcNow,
            Config = Config(options, limits),
            Memory = Sum(stats, s => s.Stats.Memory),
            Store = Sum(stats, s => s.Stats.Store),
            Accounts = hosts.Count,
            Api = new JetStreamApiStats { Total = Sum(stats, s => s.Stats.ApiTotal), Errors = Sum(stats, s => s.Stats.ApiErrors) },
            Streams = stats.Sum(s => s.Stats.Streams),
            Consumers = stats.Sum(s => s.Stats.Consumers),
            Messages = Sum(stats, s => s.Stats.Messages),
            Bytes = Sum(stats, s => s.Stats.Bytes),
            AccountDetails = accountDetails,
        };
    }

    // nats-server reports an account without a tier limit as reserving uint64(-1).
    private static ulong Reserved(long limit) => limit < 0 ? ulong.MaxValue : (ulong)limit;

    private static ulong Sum<T>(IEnumerable<T> items, Func<T, ulong> value)
    {
        ulong total = 0;
        foreach (var item in items)
        {
            total += value(item);
        }
        return total;
    }
}
