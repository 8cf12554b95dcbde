using System.Text.Json.Serialization;
using Nats.Core.Monitoring;

namespace Nats.Core.SystemServices;

// The JSON of nats-server's $SYS messages (server/events.go), field for field and in Go's
// declaration order; null stands for Go's omitempty.

/// <summary>
/// The <c>server</c> block of every <c>$SYS</c> message (nats-server's <c>ServerInfo</c>): who
/// sent it, with a per-server sequence number and the time it was sent.
/// </summary>
public sealed class SystemServerInfo
{
    /// <summary>Server name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Client listen host.</summary>
    [JsonPropertyName("host")] public string Host { get; init; } = "";

    /// <summary>Server id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>Cluster name, when clustered.</summary>
    [JsonPropertyName("cluster")] public string? Cluster { get; init; }

    /// <summary>JetStream domain, when set.</summary>
    [JsonPropertyName("domain")] public string? Domain { get; init; }

    /// <summary>Server version.</summary>
    [JsonPropertyName("ver")] public string Version { get; init; } = "";

    /// <summary><c>server_tags</c>.</summary>
    [JsonPropertyName("tags")] public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Whether JetStream is enabled (kept next to <see cref="Flags"/> as nats-server does).</summary>
    [JsonPropertyName("jetstream")] public bool JetStream { get; init; }

    /// <summary>Capability flags (1 = JetStream enabled).</summary>
    [JsonPropertyName("flags")] public ulong Flags { get; init; }

    /// <summary>Sequence of this server's <c>$SYS</c> messages.</summary>
    [JsonPropertyName("seq")] public ulong Sequence { get; init; }

    /// <summary>When the message was sent.</summary>
    [JsonPropertyName("time")] public DateTime Time { get; init; }
}

/// <summary>The envelope of <c>$SYS.REQ</c> answers (nats-server's <c>ServerAPIResponse</c>).</summary>
public sealed class SystemApiResponse
{
    /// <summary>The answering server.</summary>
    [JsonPropertyName("server")] public SystemServerInfo Server { get; init; } = new();

    /// <summary>The answer (e.g. a <c>/varz</c> body), absent on error or when there is none.</summary>
    [JsonPropertyName("data")] public object? Data { get; init; }

    /// <summary>The error, when the request failed.</summary>
    [JsonPropertyName("error")] public SystemApiError? Error { get; init; }
}

/// <summary>An error in a <see cref="SystemApiResponse"/> (nats-server's <c>ApiError</c>).</summary>
public sealed class SystemApiError
{
    /// <summary>HTTP-like status: 400 for a bad request, 500 when the service failed.</summary>
    [JsonPropertyName("code")] public int Code { get; init; }

    /// <summary>What went wrong.</summary>
    [JsonPropertyName("description")] public string? Description { get; init; }
}

/// <summary>One route in <see cref="ServerStatsz.Routes"/> (nats-server's <c>RouteStat</c>).</summary>
public sealed class RouteStat
{
    /// <summary>Route connection id.</summary>
    [JsonPropertyName("rid")] public ulong Id { get; init; }

    /// <summary>The remote server's name.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>Sent to the route.</summary>
    [JsonPropertyName("sent")] public DataStats Sent { get; init; } = new();

    /// <summary>Received from the route.</summary>
    [JsonPropertyName("received")] public DataStats Received { get; init; } = new();

    /// <summary>Bytes waiting to be written.</summary>
    [JsonPropertyName("pending")] public int Pending { get; init; }
}

/// <summary>
/// The <c>statsz</c> of <c>$SYS.SERVER.&lt;id&gt;.STATSZ</c> (nats-server's <c>ServerStats</c>).
/// Plugins add their part through <see cref="ISystemServices.AddStatszContributor"/>.
/// </summary>
public sealed class ServerStatsz
{
    /// <summary>When the server started.</summary>
    [JsonPropertyName("start")] public DateTime Start { get; set; }

    /// <summary>Resident memory in bytes.</summary>
    [JsonPropertyName("mem")] public long Memory { get; set; }

    /// <summary>Processor count.</summary>
    [JsonPropertyName("cores")] public int Cores { get; set; }

    /// <summary>CPU use in percent.</summary>
    [JsonPropertyName("cpu")] public double Cpu { get; set; }

    /// <summary>Open client connections.</summary>
    [JsonPropertyName("connections")] public int Connections { get; set; }

    /// <summary>Client connections since start.</summary>
    [JsonPropertyName("total_connections")] public ulong TotalConnections { get; set; }

    /// <summary>Accounts with connections or subscriptions.</summary>
    [JsonPropertyName("active_accounts")] public int ActiveAccounts { get; set; }

    /// <summary>Subscriptions in all accounts.</summary>
    [JsonPropertyName("subscriptions")] public uint Subscriptions { get; set; }

    /// <summary>Sent in total.</summary>
    [JsonPropertyName("sent")] public DataStats Sent { get; set; } = new();

    /// <summary>Received in total.</summary>
    [JsonPropertyName("received")] public DataStats Received { get; set; } = new();

    /// <summary>Slow consumers seen.</summary>
    [JsonPropertyName("slow_consumers")] public long SlowConsumers { get; set; }

    /// <summary>Stale connections seen.</summary>
    [JsonPropertyName("stale_connections")] public long? StaleConnections { get; set; }

    /// <summary>Routes, when clustered.</summary>
    [JsonPropertyName("routes")] public List<RouteStat>? Routes { get; set; }

    /// <summary>Gateways (filled by the Gateway plugin).</summary>
    [JsonPropertyName("gateways")] public List<object>? Gateways { get; set; }

    /// <summary>Servers this one knows of, itself included (filled when clustered).</summary>
    [JsonPropertyName("active_servers")] public int? ActiveServers { get; set; }

    /// <summary>JetStream's part (filled by the JetStream plugin).</summary>
    [JsonPropertyName("jetstream")] public object? JetStream { get; set; }

    /// <summary>Go's GOMAXPROCS; here the processors the runtime uses.</summary>
    [JsonPropertyName("gomaxprocs")] public int? MaxProcs { get; set; }
}

/// <summary>A STATSZ message or answer (nats-server's <c>ServerStatsMsg</c>).</summary>
public sealed class ServerStatsMessage
{
    /// <summary>The sending server.</summary>
    [JsonPropertyName("server")] public SystemServerInfo Server { get; init; } = new();

    /// <summary>The statistics.</summary>
    [JsonPropertyName("statsz")] public ServerStatsz Stats { get; init; } = new();
}

/// <summary>The IDZ answer (nats-server's <c>ServerID</c>).</summary>
public sealed class ServerIdentity
{
    /// <summary>Server name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Client listen host.</summary>
    [JsonPropertyName("host")] public string Host { get; init; } = "";

    /// <summary>Server id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";
}

/// <summary>A client as events describe it (nats-server's <c>ClientInfo</c>).</summary>
public sealed class EventClientInfo
{
    /// <summary>When the connection started.</summary>
    [JsonPropertyName("start")] public DateTime? Start { get; init; }

    /// <summary>Remote IP.</summary>
    [JsonPropertyName("host")] public string? Host { get; init; }

    /// <summary>Connection id (cid).</summary>
    [JsonPropertyName("id")] public ulong? Id { get; init; }

    /// <summary>Account.</summary>
    [JsonPropertyName("acc")] public string? Account { get; init; }

    /// <summary>Authenticated user.</summary>
    [JsonPropertyName("user")] public string? User { get; init; }

    /// <summary>Client name from CONNECT.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>Client language from CONNECT.</summary>
    [JsonPropertyName("lang")] public string? Lang { get; init; }

    /// <summary>Client version from CONNECT.</summary>
    [JsonPropertyName("ver")] public string? Version { get; init; }

    /// <summary>Round-trip time, as Go's duration in nanoseconds.</summary>
    [JsonPropertyName("rtt")] public long? Rtt { get; init; }

    /// <summary>When the connection ended.</summary>
    [JsonPropertyName("stop")] public DateTime? Stop { get; init; }

    /// <summary>Connection kind (<c>Client</c>…).</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>Client type (<c>nats</c>, <c>websocket</c>, <c>mqtt</c>…).</summary>
    [JsonPropertyName("client_type")] public string? ClientType { get; init; }
}

/// <summary><c>$SYS.ACCOUNT.&lt;acc&gt;.CONNECT</c> (nats-server's <c>ConnectEventMsg</c>).</summary>
public sealed class ConnectEventMessage
{
    /// <summary>The schema type.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "io.nats.server.advisory.v1.client_connect";

    /// <summary>A unique event id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>When the event happened.</summary>
    [JsonPropertyName("timestamp")] public DateTime Timestamp { get; init; }

    /// <summary>The server the client connected to.</summary>
    [JsonPropertyName("server")] public SystemServerInfo Server { get; init; } = new();

    /// <summary>The client.</summary>
    [JsonPropertyName("client")] public EventClientInfo Client { get; init; } = new();
}

/// <summary>
/// <c>$SYS.ACCOUNT.&lt;acc&gt;.DISCONNECT</c> and <c>$SYS.SERVER.&lt;id&gt;.CLIENT.AUTH.ERR</c>
/// (nats-server's <c>DisconnectEventMsg</c>).
/// </summary>
public sealed class DisconnectEventMessage
{
    /// <summary>The schema type.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "io.nats.server.advisory.v1.client_disconnect";

    /// <summary>A unique event id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>When the event happened.</summary>
    [JsonPropertyName("timestamp")] public DateTime Timestamp { get; init; }

    /// <summary>The server the client was connected to.</summary>
    [JsonPropertyName("server")] public SystemServerInfo Server { get; init; } = new();

    /// <summary>The client.</summary>
    [JsonPropertyName("client")] public EventClientInfo Client { get; init; } = new();

    /// <summary>What the client sent (its published messages).</summary>
    [JsonPropertyName("sent")] public DataStats Sent { get; init; } = new();

    /// <summary>What the client received.</summary>
    [JsonPropertyName("received")] public DataStats Received { get; init; } = new();

    /// <summary>Why the connection closed (nats-server's closed-state text).</summary>
    [JsonPropertyName("reason")] public string Reason { get; init; } = "";
}

/// <summary><c>$SYS.ACCOUNT.&lt;acc&gt;.SERVER.CONNS</c> (nats-server's <c>AccountNumConns</c>).</summary>
public sealed class AccountConnectionsMessage
{
    /// <summary>The schema type.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "io.nats.server.advisory.v1.account_connections";

    /// <summary>A unique event id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>When the event happened.</summary>
    [JsonPropertyName("timestamp")] public DateTime Timestamp { get; init; }

    /// <summary>The reporting server.</summary>
    [JsonPropertyName("server")] public SystemServerInfo Server { get; init; } = new();

    /// <summary>Account name.</summary>
    [JsonPropertyName("acc")] public string Account { get; init; } = "";

    /// <summary>Account name tag (the name again without JWTs).</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Client connections on this server.</summary>
    [JsonPropertyName("conns")] public int Connections { get; init; }

    /// <summary>Leaf node connections on this server.</summary>
    [JsonPropertyName("leafnodes")] public int LeafNodes { get; init; }

    /// <summary>Both.</summary>
    [JsonPropertyName("total_conns")] public int TotalConnections { get; init; }

    /// <summary>Subscriptions in the account.</summary>
    [JsonPropertyName("num_subscriptions")] public uint Subscriptions { get; init; }

    /// <summary>Sent by the account's clients' deliveries.</summary>
    [JsonPropertyName("sent")] public DataStats Sent { get; init; } = new();

    /// <summary>Received from the account's clients.</summary>
    [JsonPropertyName("received")] public DataStats Received { get; init; } = new();

    /// <summary>Slow consumers in the account.</summary>
    [JsonPropertyName("slow_consumers")] public long SlowConsumers { get; init; }
}
