using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>The server asking an auth callout (jwt <c>ServerID</c>).</summary>
public sealed class ServerId
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    [JsonPropertyName("host")] public string Host { get; set; } = "";

    [JsonPropertyName("id")] public string Id { get; set; } = "";

    [JsonPropertyName("version"), OmitEmpty] public string? Version { get; set; }

    [JsonPropertyName("cluster"), OmitEmpty] public string? Cluster { get; set; }

    [JsonPropertyName("tags"), OmitEmpty] public List<string>? Tags { get; set; }

    /// <summary>The server's curve public key, when the request is sealed.</summary>
    [JsonPropertyName("xkey"), OmitEmpty] public string? XKey { get; set; }
}

/// <summary>The connecting client (jwt <c>ClientInformation</c>).</summary>
public sealed class ClientInformation
{
    [JsonPropertyName("host"), OmitEmpty] public string? Host { get; set; }

    [JsonPropertyName("id"), OmitEmpty] public ulong Id { get; set; }

    [JsonPropertyName("user"), OmitEmpty] public string? User { get; set; }

    [JsonPropertyName("name"), OmitEmpty] public string? Name { get; set; }

    [JsonPropertyName("tags"), OmitEmpty] public List<string>? Tags { get; set; }

    [JsonPropertyName("name_tag"), OmitEmpty] public string? NameTag { get; set; }

    /// <summary><c>Client</c> or <c>Leafnode</c> (nats-server's kind string).</summary>
    [JsonPropertyName("kind"), OmitEmpty] public string? Kind { get; set; }

    /// <summary><c>nats</c>, <c>websocket</c>, <c>mqtt</c> (nats-server's client type string).</summary>
    [JsonPropertyName("type"), OmitEmpty] public string? Type { get; set; }

    [JsonPropertyName("mqtt_id"), OmitEmpty] public string? MqttClientId { get; set; }

    /// <summary>The INFO nonce, sent when the client signed it.</summary>
    [JsonPropertyName("nonce"), OmitEmpty] public string? Nonce { get; set; }
}

/// <summary>The client's CONNECT fields as a callout sees them (jwt <c>ConnectOptions</c>).</summary>
public sealed class CalloutConnectOptions
{
    [JsonPropertyName("jwt"), OmitEmpty] public string? Jwt { get; set; }

    [JsonPropertyName("nkey"), OmitEmpty] public string? NKey { get; set; }

    [JsonPropertyName("sig"), OmitEmpty] public string? SignedNonce { get; set; }

    [JsonPropertyName("auth_token"), OmitEmpty] public string? Token { get; set; }

    [JsonPropertyName("user"), OmitEmpty] public string? Username { get; set; }

    [JsonPropertyName("pass"), OmitEmpty] public string? Password { get; set; }

    [JsonPropertyName("name"), OmitEmpty] public string? Name { get; set; }

    [JsonPropertyName("lang"), OmitEmpty] public string? Lang { get; set; }

    [JsonPropertyName("version"), OmitEmpty] public string? Version { get; set; }

    [JsonPropertyName("protocol")] public int Protocol { get; set; }
}

/// <summary>The client's TLS state (jwt <c>ClientTLS</c>): PEM certificates, the verified chains when there are any.</summary>
public sealed class ClientTls
{
    [JsonPropertyName("version"), OmitEmpty] public string? Version { get; set; }

    [JsonPropertyName("cipher"), OmitEmpty] public string? Cipher { get; set; }

    [JsonPropertyName("certs"), OmitEmpty] public List<string>? Certs { get; set; }

    [JsonPropertyName("verified_chains"), OmitEmpty] public List<List<string>>? VerifiedChains { get; set; }
}

/// <summary>The <c>nats</c> object of an authorization request (jwt <c>AuthorizationRequest</c>).</summary>
public sealed class AuthorizationRequestNats : NatsFields
{
    [JsonPropertyName("server_id")] public ServerId Server { get; set => field = value ?? new(); } = new();

    /// <summary>A fresh user key; the response's user JWT must have it as subject.</summary>
    [JsonPropertyName("user_nkey")] public string UserNKey { get; set; } = "";

    [JsonPropertyName("client_info")] public ClientInformation ClientInformation { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("connect_opts")] public CalloutConnectOptions ConnectOptions { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("client_tls"), OmitEmpty] public ClientTls? Tls { get; set; }

    [JsonPropertyName("request_nonce"), OmitEmpty] public string? RequestNonce { get; set; }
}

/// <summary>The <c>nats</c> object of an authorization response (jwt <c>AuthorizationResponse</c>): a user JWT or an error.</summary>
public sealed class AuthorizationResponseNats : NatsFields
{
    [JsonPropertyName("jwt"), OmitEmpty] public string? Jwt { get; set; }

    [JsonPropertyName("error"), OmitEmpty] public string? Error { get; set; }

    [JsonPropertyName("issuer_account"), OmitEmpty] public string? IssuerAccount { get; set; }
}
