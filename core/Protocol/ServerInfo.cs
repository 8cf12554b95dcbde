using System.Buffers;
using System.Text.Json;

namespace Nats.Core.Protocol;

/// <summary>
/// The server-wide part of the INFO a client receives, as an immutable snapshot. The server
/// swaps in a new snapshot when something changes (cluster members, lame duck mode).
/// </summary>
public sealed record ServerInfo
{
    /// <summary>The server's id (its nkey public key).</summary>
    public required string ServerId { get; init; }
    /// <summary>The server's name (<c>server_name</c>, else the id).</summary>
    public required string ServerName { get; init; }
    /// <summary>The nats-server version whose behaviour this server matches (clients pick features from it).</summary>
    public required string Version { get; init; }
    /// <summary>The protocol level (1: asynchronous INFO).</summary>
    public int Proto { get; init; } = 1;
    /// <summary>The commit built from, when known.</summary>
    public string? GitCommit { get; init; }
    /// <summary>The runtime (nats-server reports its Go version; this server reports .NET's).</summary>
    public string Go { get; init; } = "dotnet" + Environment.Version;
    /// <summary>The client listener's host.</summary>
    public required string Host { get; init; }
    /// <summary>The client listener's port.</summary>
    public int Port { get; init; }
    /// <summary>The server supports headers.</summary>
    public bool Headers { get; init; } = true;
    /// <summary>Clients must authenticate (false with a no_auth_user).</summary>
    public bool AuthRequired { get; init; }
    /// <summary>Clients must use TLS.</summary>
    public bool TlsRequired { get; init; }
    /// <summary>Clients must present a certificate.</summary>
    public bool TlsVerify { get; init; }
    /// <summary>TLS is offered but not required (<c>allow_non_tls</c>).</summary>
    public bool TlsAvailable { get; init; }
    /// <summary>The largest message payload accepted.</summary>
    public int MaxPayload { get; init; }
    /// <summary>JetStream is available.</summary>
    public bool JetStream { get; init; }
    /// <summary>The cluster name, when clustered.</summary>
    public string? Cluster { get; init; }
    /// <summary>Client URLs of the cluster's servers, for failover.</summary>
    public IReadOnlyList<string> ConnectUrls { get; init; } = [];
    /// <summary>The server is in lame duck mode: clients should move elsewhere.</summary>
    public bool LameDuckMode { get; init; }
    /// <summary>The JetStream domain.</summary>
    public string? Domain { get; init; }
    /// <summary>
    /// Fields plugins add (<see cref="NatsServer.SetClientInfoField"/>), written after the
    /// kernel's own, in name order. Replaced whole.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> PluginFields { get; init; } = EmptyFields;

    private static readonly IReadOnlyDictionary<string, JsonElement> EmptyFields = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);

    // What ToClientInfoLine writes itself: a plugin field must not shadow one.
    private static readonly HashSet<string> KernelFields = new(StringComparer.Ordinal)
    {
        "server_id", "server_name", "version", "proto", "git_commit", "go", "host", "port", "headers",
        "auth_required", "tls_required", "tls_verify", "tls_available", "max_payload", "jetstream",
        "client_id", "client_ip", "nonce", "cluster", "domain", "connect_urls", "ldm",
    };

    /// <summary>True when the kernel writes <paramref name="name"/> into client INFO itself.</summary>
    public static bool IsKernelField(string name) => KernelFields.Contains(name);

    /// <summary>Writes <c>INFO {json} \r\n</c> for one client, as nats-server formats it.</summary>
    public byte[] ToClientInfoLine(ulong clientId, string? clientIp, string? nonce)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write("INFO "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("server_id", ServerId);
            json.WriteString("server_name", ServerName);
            json.WriteString("version", Version);
            json.WriteNumber("proto", Proto);
            if (GitCommit is not null)
            {
                json.WriteString("git_commit", GitCommit);
            }
            json.WriteString("go", Go);
            json.WriteString("host", Host);
            json.WriteNumber("port", Port);
            json.WriteBoolean("headers", Headers);
            WriteIfTrue(json, "auth_required", AuthRequired);
            WriteIfTrue(json, "tls_required", TlsRequired);
            WriteIfTrue(json, "tls_verify", TlsVerify);
            WriteIfTrue(json, "tls_available", TlsAvailable);
            json.WriteNumber("max_payload", MaxPayload);
            WriteIfTrue(json, "jetstream", JetStream);
            if (clientId != 0)
            {
                json.WriteNumber("client_id", clientId);
            }
            if (!string.IsNullOrEmpty(clientIp))
            {
                json.WriteString("client_ip", clientIp);
            }
            if (!string.IsNullOrEmpty(nonce))
            {
                json.WriteString("nonce", nonce);
            }
            if (!string.IsNullOrEmpty(Cluster))
            {
                json.WriteString("cluster", Cluster);
            }
            if (!string.IsNullOrEmpty(Domain))
            {
                json.WriteString("domain", Domain);
            }
            WriteList(json, "connect_urls", ConnectUrls);
            WriteIfTrue(json, "ldm", LameDuckMode);
            foreach (var (name, value) in PluginFields)
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }
            json.WriteEndObject();
        }
        buffer.Write(" \r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIfTrue(Utf8JsonWriter json, string name, bool value)
    {
        if (value)
        {
            json.WriteBoolean(name, true);
        }
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }
        json.WriteEndArray();
    }
}
