using System.Text.Json.Serialization;
using Nats.Core.Monitoring;

namespace Nats.Core.Cluster;

/// <summary><c>/routez</c>, with nats-server's field names.</summary>
public sealed class Routez
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("num_routes")] public int NumRoutes { get; set; }
    [JsonPropertyName("routes")] public List<RouteInfoz> Routes { get; set; } = [];
}

/// <summary>One route in <c>/routez</c>.</summary>
public sealed class RouteInfoz
{
    [JsonPropertyName("rid")] public ulong Rid { get; set; }
    [JsonPropertyName("remote_id")] public string RemoteId { get; set; } = "";
    [JsonPropertyName("remote_name")] public string RemoteName { get; set; } = "";
    [JsonPropertyName("did_solicit")] public bool DidSolicit { get; set; }
    [JsonPropertyName("is_configured")] public bool IsConfigured { get; set; }
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("start")] public DateTime Start { get; set; }
    [JsonPropertyName("last_activity")] public DateTime LastActivity { get; set; }
    [JsonPropertyName("rtt")] public string? Rtt { get; set; }
    [JsonPropertyName("uptime")] public string Uptime { get; set; } = "";
    [JsonPropertyName("idle")] public string Idle { get; set; } = "";
    [JsonPropertyName("pending_size")] public long PendingSize { get; set; }
    [JsonPropertyName("in_msgs")] public long InMsgs { get; set; }
    [JsonPropertyName("out_msgs")] public long OutMsgs { get; set; }
    [JsonPropertyName("in_bytes")] public long InBytes { get; set; }
    [JsonPropertyName("out_bytes")] public long OutBytes { get; set; }
    [JsonPropertyName("subscriptions")] public int Subscriptions { get; set; }
    [JsonPropertyName("subscriptions_list")] public List<string>? SubscriptionsList { get; set; }
    [JsonPropertyName("subscriptions_list_detail")] public List<SubDetail>? SubscriptionsListDetail { get; set; }
}
