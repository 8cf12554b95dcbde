using System.Buffers;
using System.Text.Json;

namespace Nats.Core.Protocol;

/// <summary>
/// The server-wide part of the INFO a client receives, as an immutable snapshot. The server
/// swaps in a new snapshot when something changes (cluster members, lame duck mode).
/// </summary>
public sealed record ServerInfo
{
    public required string ServerId { get; init; }
    public required string ServerName { get; init; }
    public required string Version { get; init; }
    public int Proto { get; init; } = 1;
    public string? GitCommit { get; init; }
    public string Go { get; init; } = "dotnet" + Environment.Version;
    public required string Host { get; init; }
    public int Port { get; init; }
    public bool Headers { get; init; } = true;
    public bool AuthRequired { get; init; }
    public bool TlsRequired { get; init; }
    public bool TlsVerify { get; init; }
    public bool TlsAvailable { get; init; }
    public int MaxPayload { get; init; }
    public bool JetStream { get; init; }
    public string? Cluster { get; init; }
    public IReadOnlyList<string> ConnectUrls { get; init; } = [];
    public IReadOnlyList<string> WebSocketConnectUrls { get; init; } = [];
    public bool LameDuckMode { get; init; }
    public string? Domain { get; init; }

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
            WriteList(json, "ws_connect_urls", WebSocketConnectUrls);
            WriteIfTrue(json, "ldm", LameDuckMode);
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
