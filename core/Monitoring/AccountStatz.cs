using System.Text.Json.Serialization;

namespace Nats.Core.Monitoring;

/// <summary><c>/accstatz</c>: traffic and connection counts per account.</summary>
public sealed class AccountStatz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("account_statz")] public IReadOnlyList<AccountStat> Accounts { get; set; } = [];
}

/// <summary>One account in <c>/accstatz</c> (nats-server's <c>AccountStat</c>).</summary>
public sealed class AccountStat
{
    [JsonPropertyName("acc")] public string Account { get; set; } = "";
    /// <summary>The account's name tag (from its JWT); empty for configured accounts.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("conns")] public int Conns { get; set; }
    [JsonPropertyName("leafnodes")] public int LeafNodes { get; set; }
    [JsonPropertyName("total_conns")] public int TotalConns { get; set; }
    [JsonPropertyName("num_subscriptions")] public uint NumSubs { get; set; }
    [JsonPropertyName("sent")] public DataStats Sent { get; set; } = new();
    [JsonPropertyName("received")] public DataStats Received { get; set; } = new();
    [JsonPropertyName("slow_consumers")] public long SlowConsumers { get; set; }
}

/// <summary>Messages and payload bytes (nats-server's <c>DataStats</c>), with optional per-link-kind parts.</summary>
public sealed class DataStats
{
    [JsonPropertyName("msgs")] public long Msgs { get; set; }
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    /// <summary>Of which over gateways, when reported.</summary>
    [JsonPropertyName("gateways")] public MessageBytes? Gateways { get; set; }
    /// <summary>Of which over routes, when reported.</summary>
    [JsonPropertyName("routes")] public MessageBytes? Routes { get; set; }
    /// <summary>Of which over leaf nodes, when reported.</summary>
    [JsonPropertyName("leafs")] public MessageBytes? Leafs { get; set; }
}

/// <summary>Messages and bytes (nats-server's <c>MsgBytes</c>).</summary>
public sealed class MessageBytes
{
    [JsonPropertyName("msgs")] public long Msgs { get; set; }
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
}
