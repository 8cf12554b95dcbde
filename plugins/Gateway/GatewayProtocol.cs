using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Nats.Gateway;

/// <summary>The INFO a gateway sends (nats-server's <c>Info</c>, gateway fields), also the gossip and interest-mode commands.</summary>
public sealed class GatewayInfo
{
    /// <summary>INFO <c>gateway_cmd</c>: gossip of another gateway's URLs.</summary>
    public const byte CommandGossip = 1;

    /// <summary>INFO <c>gateway_cmd</c>: the sender starts sending all subscriptions of an account.</summary>
    public const byte CommandAllSubsStart = 2;

    /// <summary>INFO <c>gateway_cmd</c>: all subscriptions of the account were sent (interest-only from now on).</summary>
    public const byte CommandAllSubsComplete = 3;

    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("proto")] public int Proto { get; set; }
    [JsonPropertyName("go")] public string Go { get; set; } = "";
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("auth_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AuthRequired { get; set; }
    [JsonPropertyName("tls_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsRequired { get; set; }
    [JsonPropertyName("tls_verify"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsVerify { get; set; }
    [JsonPropertyName("max_payload")] public long MaxPayload { get; set; }
    [JsonPropertyName("gateway"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Gateway { get; set; }
    [JsonPropertyName("gateway_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GatewayUrl { get; set; }
    [JsonPropertyName("gateway_urls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? GatewayUrls { get; set; }
    [JsonPropertyName("gateway_cmd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public byte GatewayCmd { get; set; }
    // A Go []byte: standard base64 in JSON, as System.Text.Json writes byte[].
    [JsonPropertyName("gateway_cmd_payload"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public byte[]? GatewayCmdPayload { get; set; }
    [JsonPropertyName("gateway_nrp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool GatewayNrp { get; set; }
    [JsonPropertyName("gateway_iom"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool GatewayIom { get; set; }

    /// <summary>The whole protocol line, <c>INFO {…}\r\n</c>.</summary>
    public byte[] ToLine() => GatewayJson.Line("INFO ", this, GatewayProtocolJsonContext.Default.GatewayInfo);

    /// <summary>The JSON object alone (for a route INFO gossip).</summary>
    public byte[] ToJson() => GatewayJson.Json(this, GatewayProtocolJsonContext.Default.GatewayInfo);

    /// <summary>Parses an INFO argument; null when it is not valid JSON.</summary>
    public static GatewayInfo? Parse(ReadOnlySpan<byte> json) => GatewayJson.Parse(json, GatewayProtocolJsonContext.Default.GatewayInfo);
}

/// <summary>The CONNECT an outbound gateway sends after the remote's INFO (nats-server's <c>sendGatewayConnect</c>).</summary>
public sealed class GatewayConnect
{
    [JsonPropertyName("echo")] public bool Echo { get; set; }
    [JsonPropertyName("verbose")] public bool Verbose { get; set; }
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; }
    [JsonPropertyName("user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; set; }
    [JsonPropertyName("pass"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Pass { get; set; }
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("lang"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Lang { get; set; }
    [JsonPropertyName("cluster")] public string Cluster { get; set; } = "";
    [JsonPropertyName("gateway")] public string Gateway { get; set; } = "";

    /// <summary>The whole protocol line, <c>CONNECT {…}\r\n</c>.</summary>
    public byte[] ToLine() => GatewayJson.Line("CONNECT ", this, GatewayProtocolJsonContext.Default.GatewayConnect);

    /// <summary>Parses a CONNECT argument; null when it is not valid JSON.</summary>
    public static GatewayConnect? Parse(ReadOnlySpan<byte> json) => GatewayJson.Parse(json, GatewayProtocolJsonContext.Default.GatewayConnect);
}

/// <summary>
/// Compile-time JSON metadata of the gateway protocol's INFO and CONNECT: no reflection at run
/// time, so a native build needs no rooting for them. Default options, as before (exact-case
/// names, nothing else), so the bytes on the wire are the same.
/// </summary>
[JsonSerializable(typeof(GatewayInfo))]
[JsonSerializable(typeof(GatewayConnect))]
internal sealed partial class GatewayProtocolJsonContext : JsonSerializerContext;

internal static class GatewayJson
{
    public static byte[] Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    public static byte[] Line<T>(string op, T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var line = new byte[op.Length + json.Length + 2];
        System.Text.Encoding.ASCII.GetBytes(op, line);
        json.CopyTo(line, op.Length);
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        return line;
    }

    public static T? Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
