using System.Text.Json.Serialization;

namespace Nats.Core.Monitoring;

/// <summary>One connection in <c>/connz</c>, open or closed, with nats-server's field names and order.</summary>
public sealed class ConnInfo
{
    [JsonPropertyName("cid")] public ulong Cid { get; set; }
    /// <summary><c>Client</c> (nats-server also lists leaf nodes here, as <c>Leafnode</c>).</summary>
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    /// <summary><c>nats</c>, <c>websocket</c> or <c>mqtt</c>, for clients.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("start")] public DateTime Start { get; set; }
    [JsonPropertyName("last_activity")] public DateTime LastActivity { get; set; }
    /// <summary>When a closed connection closed; left out for open ones.</summary>
    [JsonPropertyName("stop")] public DateTime? Stop { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    /// <summary>Round-trip time as a Go duration (<c>"455µs"</c>); <c>"0s"</c> until measured.</summary>
    [JsonPropertyName("rtt")] public string? Rtt { get; set; }
    [JsonPropertyName("uptime")] public string Uptime { get; set; } = "";
    [JsonPropertyName("idle")] public string Idle { get; set; } = "";
    [JsonPropertyName("pending_bytes")] public long PendingBytes { get; set; }
    [JsonPropertyName("in_msgs")] public long InMsgs { get; set; }
    [JsonPropertyName("out_msgs")] public long OutMsgs { get; set; }
    [JsonPropertyName("in_bytes")] public long InBytes { get; set; }
    [JsonPropertyName("out_bytes")] public long OutBytes { get; set; }
    [JsonPropertyName("subscriptions")] public uint NumSubs { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("lang")] public string? Lang { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    /// <summary><c>"1.2"</c>, <c>"1.3"</c>.</summary>
    [JsonPropertyName("tls_version")] public string? TlsVersion { get; set; }
    [JsonPropertyName("tls_cipher_suite")] public string? TlsCipherSuite { get; set; }
    /// <summary>The client certificate, with <c>auth=true</c>.</summary>
    [JsonPropertyName("tls_peer_certs")] public IReadOnlyList<TlsPeerCert>? TlsPeerCerts { get; set; }
    /// <summary>With <c>auth=true</c>.</summary>
    [JsonPropertyName("authorized_user")] public string? AuthorizedUser { get; set; }
    /// <summary>With <c>auth=true</c>, unless the global account.</summary>
    [JsonPropertyName("account")] public string? Account { get; set; }
    /// <summary>With <c>subs=true</c>.</summary>
    [JsonPropertyName("subscriptions_list")] public IReadOnlyList<string>? Subscriptions { get; set; }
    /// <summary>With <c>subs=detail</c>.</summary>
    [JsonPropertyName("subscriptions_list_detail")] public IReadOnlyList<SubDetail>? SubscriptionsDetail { get; set; }

    /// <summary>The measured RTT, for sorting.</summary>
    [JsonIgnore] internal TimeSpan RttValue { get; set; }

    /// <summary>A copy to fill per request (auth, subscriptions) without touching a shared snapshot.</summary>
    internal ConnInfo Copy() => (ConnInfo)MemberwiseClone();
}

/// <summary>A TLS peer certificate in <c>/connz?auth=true</c>.</summary>
public sealed class TlsPeerCert
{
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    /// <summary>Hex SHA-256 of the subject public key info.</summary>
    [JsonPropertyName("spki_sha256")] public string? SubjectPkiSha256 { get; set; }
    /// <summary>Hex SHA-256 of the DER certificate.</summary>
    [JsonPropertyName("cert_sha256")] public string? CertSha256 { get; set; }
}

/// <summary><c>/connz</c>: connections, paged.</summary>
public sealed class Connz
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("now")] public DateTime Now { get; set; }
    /// <summary>Connections in this page.</summary>
    [JsonPropertyName("num_connections")] public int NumConnections { get; set; }
    /// <summary>Connections in the chosen state (and account), before paging.</summary>
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    [JsonPropertyName("connections")] public IReadOnlyList<ConnInfo> Connections { get; set; } = [];
}
