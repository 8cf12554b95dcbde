using System.Text.Json.Serialization;

namespace Nats.Leafnode.Protocol;

/// <summary>
/// The INFO a hub sends on a leaf connection (nats-server's <c>Info</c> as the leafnode accept
/// loop and <c>sendPermsAndAccountInfo</c> fill it). The first INFO carries the nonce and
/// <c>client_id</c>; the one answering CONNECT has <c>connect_info</c>, the bound account and
/// the permissions the leaf enforces.
/// </summary>
public sealed record LeafInfo
{
    [JsonPropertyName("server_id")] public string ServerId { get; init; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; init; } = "";
    [JsonPropertyName("version")] public string Version { get; init; } = "";
    [JsonPropertyName("proto")] public int Proto { get; init; } = 1;
    [JsonPropertyName("go")] public string Go { get; init; } = "";
    [JsonPropertyName("host")] public string Host { get; init; } = "";
    [JsonPropertyName("port")] public int Port { get; init; }
    [JsonPropertyName("headers")] public bool Headers { get; init; }
    [JsonPropertyName("auth_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AuthRequired { get; init; }
    [JsonPropertyName("tls_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsRequired { get; init; }
    [JsonPropertyName("tls_verify"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsVerify { get; init; }
    [JsonPropertyName("max_payload")] public int MaxPayload { get; init; }
    [JsonPropertyName("jetstream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool JetStream { get; init; }
    [JsonPropertyName("ip"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Ip { get; init; }
    [JsonPropertyName("client_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ClientId { get; init; }
    [JsonPropertyName("nonce"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Nonce { get; init; }
    [JsonPropertyName("cluster"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Cluster { get; init; }
    [JsonPropertyName("domain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Domain { get; init; }
    [JsonPropertyName("import"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SubjectPermission? Import { get; init; }
    [JsonPropertyName("export"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SubjectPermission? Export { get; init; }
    [JsonPropertyName("info_on_connect"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool InfoOnConnect { get; init; }
    [JsonPropertyName("connect_info"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool ConnectInfo { get; init; }
    [JsonPropertyName("leafnode_urls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string[]? LeafnodeUrls { get; init; }
    [JsonPropertyName("remote_account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RemoteAccount { get; init; }
    [JsonPropertyName("ws_connect_urls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string[]? WsConnectUrls { get; init; }
    [JsonPropertyName("acc_is_sys"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AccountIsSystem { get; init; }

    /// <summary>The <c>INFO {…}\r\n</c> line.</summary>
    public byte[] ToProtocolLine()
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, LeafJsonContext.Default.LeafInfo);
        var line = new byte[5 + json.Length + 2];
        "INFO "u8.CopyTo(line);
        json.CopyTo(line, 5);
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Parses INFO's JSON; null when it is not valid JSON of this shape.</summary>
    public static LeafInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, LeafJsonContext.Default.LeafInfo);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>nats-server's <c>SubjectPermission</c>: allow and deny lists.</summary>
public sealed record SubjectPermission
{
    [JsonPropertyName("allow"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Allow { get; init; }
    [JsonPropertyName("deny"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Deny { get; init; }
}

/// <summary>
/// The CONNECT a soliciting leaf sends (nats-server's <c>leafConnectInfo</c>), plus the client
/// fields the hub's authentication reads (nkey, auth_token) and the ones it uses to detect a
/// client or gateway on the wrong port (lang, gateway).
/// </summary>
public sealed record LeafConnectInfo
{
    [JsonPropertyName("version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Version { get; init; }
    [JsonPropertyName("nkey"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NKey { get; init; }
    [JsonPropertyName("jwt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Jwt { get; init; }
    [JsonPropertyName("sig"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Signature { get; init; }
    [JsonPropertyName("user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; init; }
    [JsonPropertyName("pass"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Password { get; init; }
    [JsonPropertyName("auth_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Token { get; init; }
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; init; }
    [JsonPropertyName("server_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ServerId { get; init; }
    [JsonPropertyName("domain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Domain { get; init; }
    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyName("is_hub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool IsHub { get; init; }
    [JsonPropertyName("cluster"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Cluster { get; init; }
    [JsonPropertyName("headers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Headers { get; init; }
    [JsonPropertyName("jetstream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool JetStream { get; init; }
    [JsonPropertyName("deny_pub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? DenyPub { get; init; }
    [JsonPropertyName("remote_account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RemoteAccount { get; init; }
    [JsonPropertyName("lang"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Lang { get; init; }
    [JsonPropertyName("gateway"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Gateway { get; init; }

    /// <summary>The <c>CONNECT {…}\r\n</c> line.</summary>
    public byte[] ToProtocolLine()
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, LeafJsonContext.Default.LeafConnectInfo);
        var line = new byte[8 + json.Length + 2];
        "CONNECT "u8.CopyTo(line);
        json.CopyTo(line, 8);
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Parses CONNECT's JSON; null when it is not valid JSON of this shape.</summary>
    public static LeafConnectInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, LeafJsonContext.Default.LeafConnectInfo);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(LeafInfo))]
[JsonSerializable(typeof(LeafConnectInfo))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class LeafJsonContext : JsonSerializerContext;
