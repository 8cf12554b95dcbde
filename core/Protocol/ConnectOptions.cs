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

    /// <summary>Acknowledge every operation with <c>+OK</c>.</summary>
    [JsonPropertyName("verbose")] public bool Verbose { get; set; } = true;
    /// <summary>Check subjects strictly (an invalid publish subject gets <c>-ERR</c>).</summary>
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; } = true;
    /// <summary>Deliver the connection's own messages back to it when it is subscribed.</summary>
    [JsonPropertyName("echo")] public bool Echo { get; set; } = true;
    /// <summary>The client insists on TLS.</summary>
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    /// <summary>The user's public nkey (nkey authentication).</summary>
    [JsonPropertyName("nkey")] public string? NKey { get; set; }
    /// <summary>The user JWT (decentralized authentication; no built-in authenticator reads it).</summary>
    [JsonPropertyName("jwt")] public string? Jwt { get; set; }
    /// <summary>The signature of the INFO nonce, made with the nkey's seed.</summary>
    [JsonPropertyName("sig")] public string? Signature { get; set; }
    /// <summary>The token (token authentication).</summary>
    [JsonPropertyName("auth_token")] public string? Token { get; set; }
    /// <summary>The user name (user/password authentication).</summary>
    [JsonPropertyName("user")] public string? Username { get; set; }
    /// <summary>The password (user/password authentication).</summary>
    [JsonPropertyName("pass")] public string? Password { get; set; }
    /// <summary>The client's name, for monitoring and logs.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>The client library's language.</summary>
    [JsonPropertyName("lang")] public string? Lang { get; set; }
    /// <summary>The client library's version.</summary>
    [JsonPropertyName("version")] public string? Version { get; set; }
    /// <summary>The protocol level: 0 the original, 1 understands asynchronous INFO; anything else is refused.</summary>
    [JsonPropertyName("protocol")] public int Protocol { get; set; }
    /// <summary>An account to bind to (not supported: a CONNECT naming one is refused).</summary>
    [JsonPropertyName("account")] public string? Account { get; set; }
    /// <summary>Create the account (not supported: a CONNECT asking for it is refused).</summary>
    [JsonPropertyName("new_account")] public bool NewAccount { get; set; }
    /// <summary>The client understands headers (HPUB and HMSG).</summary>
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    /// <summary>Answer a request nobody is subscribed to with a 503 status message (needs headers).</summary>
    [JsonPropertyName("no_responders")] public bool NoResponders { get; set; }

    /// <summary>Routes: the cluster name the peer belongs to.</summary>
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }

    /// <summary>Routes: whether the peer wants TLS verification.</summary>
    [JsonPropertyName("tls_verify")] public bool TlsVerify { get; set; }

    /// <summary>Parses CONNECT JSON over the defaults; null when it is not valid JSON of the right shape.</summary>
    public static ConnectOptions? Parse(ReadOnlySpan<byte> json) => Parse(json, Default);

    /// <summary>
    /// Parses CONNECT JSON the way nats-server does: Go's encoding/json unmarshals it into the
    /// options the connection already has, so a field the JSON omits or sets to null keeps its
    /// value (a second CONNECT changes only what it names; <c>CONNECT null</c> changes nothing),
    /// names match regardless of case and unknown fields are ignored. Returns a new instance, or
    /// null when the JSON is malformed, has trailing data, or a field has the wrong type.
    /// </summary>
    public static ConnectOptions? Parse(ReadOnlySpan<byte> json, ConnectOptions current)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return current.Clone();
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var merged = current.Clone();
            var properties = ProtocolJsonContext.Default.ConnectOptions.Properties;
            foreach (var field in root.EnumerateObject())
            {
                if (field.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                foreach (var property in properties)
                {
                    if (property.Set is not null && string.Equals(property.Name, field.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        property.Set(merged, ReadValue(field.Value, property.PropertyType));
                        break;
                    }
                }
            }
            return merged;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private ConnectOptions Clone() => (ConnectOptions)MemberwiseClone();

    // Get* throw InvalidOperationException / FormatException on a value of another type, as
    // Go refuses "verbose":"yes" or "protocol":1.5.
    private static object ReadValue(JsonElement value, Type type) =>
        type == typeof(bool) ? value.GetBoolean()
        : type == typeof(int) ? value.GetInt32()
        : type == typeof(string) ? value.GetString()!
        : throw new JsonException($"unsupported CONNECT field type {type}");
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ConnectOptions))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
