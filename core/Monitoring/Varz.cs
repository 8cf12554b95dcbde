using System.Text.Json.Serialization;

namespace Nats.Core.Monitoring;

/// <summary>
/// <c>/varz</c>: general server information, with nats-server's field names and order.
/// Null members are left out (Go's <c>omitempty</c>). Plugins complete it through
/// <see cref="MonitoringServer.AddVarzContributor"/>.
/// </summary>
/// <remarks>
/// Two fields are ours, not nats-server's: <c>server_version</c> (this product's version;
/// <c>version</c> stays the nats-server level we are compatible with, because clients read
/// it for feature levels) and <c>lame_duck_mode</c> (present and true only in lame duck mode).
/// </remarks>
public sealed class Varz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    /// <summary>The nats-server version whose behaviour we match.</summary>
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    /// <summary>This product's own version (our addition).</summary>
    [JsonPropertyName("server_version")] public string ServerVersion { get; set; } = "";
    [JsonPropertyName("proto")] public int Proto { get; set; }
    [JsonPropertyName("git_commit")] public string? GitCommit { get; set; }
    /// <summary>The runtime (nats-server reports its Go version here; we report .NET's).</summary>
    [JsonPropertyName("go")] public string Go { get; set; } = "";
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("auth_required")] public bool? AuthRequired { get; set; }
    [JsonPropertyName("tls_required")] public bool? TlsRequired { get; set; }
    [JsonPropertyName("tls_verify")] public bool? TlsVerify { get; set; }
    [JsonPropertyName("ip")] public string? Ip { get; set; }
    [JsonPropertyName("connect_urls")] public IReadOnlyList<string>? ConnectUrls { get; set; }
    [JsonPropertyName("ws_connect_urls")] public IReadOnlyList<string>? WebSocketConnectUrls { get; set; }
    [JsonPropertyName("max_connections")] public int MaxConnections { get; set; }
    [JsonPropertyName("max_subscriptions")] public int? MaxSubscriptions { get; set; }
    /// <summary>Nanoseconds, as Go encodes a <c>time.Duration</c>.</summary>
    [JsonPropertyName("ping_interval"), JsonConverter(typeof(GoNanosecondsConverter))] public TimeSpan PingInterval { get; set; }
    [JsonPropertyName("ping_max")] public int PingMax { get; set; }
    [JsonPropertyName("http_host")] public string HttpHost { get; set; } = "";
    [JsonPropertyName("http_port")] public int HttpPort { get; set; }
    [JsonPropertyName("http_base_path")] public string HttpBasePath { get; set; } = "";
    [JsonPropertyName("https_port")] public int HttpsPort { get; set; }
    /// <summary>Seconds.</summary>
    [JsonPropertyName("auth_timeout")] public double AuthTimeout { get; set; }
    [JsonPropertyName("max_control_line")] public int MaxControlLine { get; set; }
    [JsonPropertyName("max_payload")] public int MaxPayload { get; set; }
    [JsonPropertyName("max_pending")] public long MaxPending { get; set; }
    [JsonPropertyName("cluster")] public ClusterVarz Cluster { get; set; } = new();
    /// <summary>The gateway plugin's section; <c>{}</c> without it, as nats-server shows an unconfigured gateway.</summary>
    [JsonPropertyName("gateway")] public object Gateway { get; set; } = new EmptySection();
    [JsonPropertyName("leaf")] public object Leaf { get; set; } = new EmptySection();
    [JsonPropertyName("mqtt")] public object Mqtt { get; set; } = new EmptySection();
    [JsonPropertyName("websocket")] public object WebSocket { get; set; } = new EmptySection();
    [JsonPropertyName("jetstream")] public object JetStream { get; set; } = new EmptySection();
    /// <summary>Seconds.</summary>
    [JsonPropertyName("tls_timeout")] public double TlsTimeout { get; set; }
    [JsonPropertyName("write_deadline"), JsonConverter(typeof(GoNanosecondsConverter))] public TimeSpan WriteDeadline { get; set; }
    [JsonPropertyName("start")] public DateTime Start { get; set; }
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    [JsonPropertyName("uptime")] public string Uptime { get; set; } = "";
    /// <summary>Resident memory in bytes.</summary>
    [JsonPropertyName("mem")] public long Mem { get; set; }
    [JsonPropertyName("cores")] public int Cores { get; set; }
    [JsonPropertyName("gomaxprocs")] public int MaxProcs { get; set; }
    /// <summary>CPU use in percent of one core.</summary>
    [JsonPropertyName("cpu")] public double Cpu { get; set; }
    [JsonPropertyName("connections")] public int Connections { get; set; }
    [JsonPropertyName("total_connections")] public long TotalConnections { get; set; }
    [JsonPropertyName("routes")] public int Routes { get; set; }
    [JsonPropertyName("remotes")] public int Remotes { get; set; }
    [JsonPropertyName("leafnodes")] public int Leafnodes { get; set; }
    [JsonPropertyName("in_msgs")] public long InMsgs { get; set; }
    [JsonPropertyName("out_msgs")] public long OutMsgs { get; set; }
    [JsonPropertyName("in_bytes")] public long InBytes { get; set; }
    [JsonPropertyName("out_bytes")] public long OutBytes { get; set; }
    [JsonPropertyName("slow_consumers")] public long SlowConsumers { get; set; }
    [JsonPropertyName("stale_connections")] public long StaleConnections { get; set; }
    [JsonPropertyName("subscriptions")] public uint Subscriptions { get; set; }
    [JsonPropertyName("http_req_stats")] public IReadOnlyDictionary<string, ulong> HttpReqStats { get; set; } = new Dictionary<string, ulong>();
    [JsonPropertyName("config_load_time")] public DateTime ConfigLoadTime { get; set; }
    /// <summary>Digest of the configuration file; empty when none was loaded.</summary>
    [JsonPropertyName("config_digest")] public string ConfigDigest { get; set; } = "";
    [JsonPropertyName("tags")] public IReadOnlyList<string>? Tags { get; set; }
    [JsonPropertyName("system_account")] public string? SystemAccount { get; set; }
    [JsonPropertyName("slow_consumer_stats")] public ConnectionKindCounts SlowConsumerStats { get; set; } = new();
    [JsonPropertyName("stale_connection_stats")] public ConnectionKindCounts StaleConnectionStats { get; set; } = new();
    /// <summary>True in lame duck mode, else left out (our addition).</summary>
    [JsonPropertyName("lame_duck_mode")] public bool? LameDuckMode { get; set; }
}

/// <summary><c>/varz</c> <c>cluster</c>: the route listener's settings; <c>{}</c> when clustering is off.</summary>
public sealed class ClusterVarz
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("addr")] public string? Host { get; set; }
    [JsonPropertyName("cluster_port")] public int? Port { get; set; }
    /// <summary>Seconds.</summary>
    [JsonPropertyName("auth_timeout")] public double? AuthTimeout { get; set; }
    /// <summary>Configured routes, as <c>host:port</c>.</summary>
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; set; }
    [JsonPropertyName("tls_timeout")] public double? TlsTimeout { get; set; }
    [JsonPropertyName("tls_required")] public bool? TlsRequired { get; set; }
    [JsonPropertyName("tls_verify")] public bool? TlsVerify { get; set; }
    [JsonPropertyName("pool_size")] public int? PoolSize { get; set; }
}

/// <summary>Counts per connection kind (<c>slow_consumer_stats</c>, <c>stale_connection_stats</c>).</summary>
public sealed class ConnectionKindCounts
{
    [JsonPropertyName("clients")] public ulong Clients { get; set; }
    [JsonPropertyName("routes")] public ulong Routes { get; set; }
    [JsonPropertyName("gateways")] public ulong Gateways { get; set; }
    [JsonPropertyName("leafs")] public ulong Leafs { get; set; }
}

/// <summary>A section with nothing to report: <c>{}</c>, as Go writes an empty struct.</summary>
public sealed class EmptySection
{
}
