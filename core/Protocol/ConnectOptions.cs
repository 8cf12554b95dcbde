using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.Core.Protocol;

/// <summary>
/// The JSON a peer sends with CONNECT. Defaults are nats-server's: a client that omits
/// <c>verbose</c>, <c>pedantic</c> or <c>echo</c> (or sends no CONNECT at all) gets them on.
/// </summary>
public sealed class ConnectOptions
{
    /// <summary>Options in force before any CONNECT arrives.</summary>
    public static readonly ConnectOptions Default = new();

    [JsonPropertyName("verbose")] public bool Verbose { get; set; } = true;
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; } = true;
    [JsonPropertyName("echo")] public bool Echo { get; set; } = true;
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    [JsonPropertyName("nkey")] public string? NKey { get; set; }
    [JsonPropertyName("jwt")] public string? Jwt { get; set; }
    [JsonPropertyName("sig")] public string? Signature { get; set; }
    [JsonPropertyName("auth_token")] public string? Token { get; set; }
    [JsonPropertyName("user")] public string? Username { get; set; }
    [JsonPropertyName("pass")] public string? Password { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("lang")] public string? Lang { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("protocol")] public int Protocol { get; set; }
    [JsonPropertyName("account")] public string? Account { get; set; }
    [JsonPropertyName("new_account")] public bool NewAccount { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("no_responders")] public bool NoResponders { get; set; }

    /// <summary>Routes: the cluster name the peer belongs to.</summary>
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }

    /// <summary>Routes: whether the peer wants TLS verification.</summary>
    [JsonPropertyName("tls_verify")] public bool TlsVerify { get; set; }

    /// <summary>Parses CONNECT JSON; null when it is not valid JSON of the right shape.</summary>
    public static ConnectOptions? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ConnectOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ConnectOptions))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
