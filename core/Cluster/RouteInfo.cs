using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.Core.Cluster;

/// <summary>
/// The INFO servers exchange over routes, as nats-server 2.9+ sends it (route protocol 2).
/// Also what gossip forwards about a new member so the others connect to it.
/// </summary>
public sealed class RouteInfo
{
    [JsonPropertyName("server_id")] public string ServerId { get; set; } = "";
    [JsonPropertyName("server_name")] public string? ServerName { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("proto")] public int Proto { get; set; }
    [JsonPropertyName("go")] public string? Go { get; set; }
    [JsonPropertyName("host")] public string? Host { get; set; }
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("auth_required")] public bool AuthRequired { get; set; }
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    [JsonPropertyName("tls_verify")] public bool TlsVerify { get; set; }
    [JsonPropertyName("max_payload")] public long MaxPayload { get; set; }
    [JsonPropertyName("jetstream")] public bool JetStream { get; set; }
    [JsonPropertyName("ip")] public string? Ip { get; set; }
    [JsonPropertyName("nonce")] public string? Nonce { get; set; }
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }
    [JsonPropertyName("cluster_dynamic")] public bool ClusterDynamic { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("connect_urls")] public List<string>? ConnectUrls { get; set; }
    [JsonPropertyName("ldm")] public bool LameDuckMode { get; set; }

    /// <summary>nats-server's <c>lnoc</c>: the peer takes leaf interest with its origin cluster (<c>LS+ origin account subject</c>).</summary>
    [JsonPropertyName("lnoc")] public bool LeafNodeOriginCluster { get; set; }

    /// <summary>
    /// Every other field: the URL lists plugins advertise (<c>ws_connect_urls</c>, see
    /// <see cref="NatsServer.AdvertiseUrls"/>), plugin fields such as the Leafnode plugin's
    /// <c>leafnode_urls</c> (see <see cref="NatsServer.SetRouteInfoField(string, JsonElement?)"/>) and whatever a peer sends that this server does
    /// not model, kept so gossip forwards a member's INFO whole.
    /// </summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdvertisedFields { get; set; }

    /// <summary>
    /// A field the kernel does not model (a plugin's, see <see cref="NatsServer.SetRouteInfoField(string, JsonElement?)"/>,
    /// such as nats-server's <c>gateway_url</c>, <c>gateway</c>, <c>gateway_urls</c>, <c>gateway_cmd</c>).
    /// </summary>
    public bool TryGetField(string name, out JsonElement value)
    {
        if (AdvertisedFields is { } fields && fields.TryGetValue(name, out value))
        {
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>A string field the kernel does not model; null when absent or not a string.</summary>
    public string? GetStringField(string name) =>
        TryGetField(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Whether the kernel writes <paramref name="name"/> itself (plugins may not set it).</summary>
    internal static bool IsKernelField(string name) =>
        RouteJsonContext.Default.RouteInfo.Properties.Any(p => p.Name == name);

    /// <summary>Parses route INFO JSON; null when malformed.</summary>
    public static RouteInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return RouteJson.ReadInfo(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>A copy (gossip changes the nonce and ip of what it forwards).</summary>
    public RouteInfo Clone() => (RouteInfo)MemberwiseClone();

    /// <summary>The <c>INFO {json} \r\n</c> line.</summary>
    public byte[] ToProtocolLine()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write("INFO "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RouteJson.Write(writer, this);
        }
        buffer.Write(" \r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>The CONNECT a server sends on a route it dialled.</summary>
public sealed class RouteConnect
{
    [JsonPropertyName("echo")] public bool Echo { get; set; } = true;
    [JsonPropertyName("verbose")] public bool Verbose { get; set; }
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("pass")] public string? Pass { get; set; }
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }
    [JsonPropertyName("cluster_dynamic")] public bool ClusterDynamic { get; set; }
    [JsonPropertyName("lang")] public string? Lang { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }

    /// <summary>Parses route CONNECT JSON; null when malformed.</summary>
    public static RouteConnect? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return RouteJson.ReadConnect(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>CONNECT {json}\r\n</c> line.</summary>
    public byte[] ToProtocolLine()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("CONNECT "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RouteJson.Write(writer, this);
        }
        buffer.Write("\r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(RouteInfo))]
[JsonSerializable(typeof(RouteConnect))]
[JsonSerializable(typeof(string))]
internal sealed partial class RouteJsonContext : JsonSerializerContext;
