using System.Text.Json.Serialization;
using Nats.Core.Monitoring;
using Nats.WebSocket.Config;

namespace Nats.WebSocket;

/// <summary>The <c>/varz</c> <c>websocket</c> block, nats-server's <c>WebsocketOptsVarz</c> (null stands for omitempty).</summary>
public sealed class WebSocketVarz
{
    [JsonPropertyName("host")] public string? Host { get; init; }
    [JsonPropertyName("port")] public int? Port { get; init; }
    [JsonPropertyName("advertise")] public string? Advertise { get; init; }
    [JsonPropertyName("no_auth_user")] public string? NoAuthUser { get; init; }
    [JsonPropertyName("jwt_cookie")] public string? JwtCookie { get; init; }
    [JsonPropertyName("handshake_timeout"), JsonConverter(typeof(GoNanosecondsConverter))] public TimeSpan? HandshakeTimeout { get; init; }
    [JsonPropertyName("auth_timeout")] public double? AuthTimeout { get; init; }
    [JsonPropertyName("no_tls")] public bool? NoTls { get; init; }
    [JsonPropertyName("tls_map")] public bool? TlsMap { get; init; }
    [JsonPropertyName("tls_pinned_certs")] public IReadOnlyList<string>? TlsPinnedCerts { get; init; }
    [JsonPropertyName("same_origin")] public bool? SameOrigin { get; init; }
    [JsonPropertyName("allowed_origins")] public IReadOnlyList<string>? AllowedOrigins { get; init; }
    [JsonPropertyName("compression")] public bool? Compression { get; init; }

    /// <summary>The block for <paramref name="options"/>, with the port actually bound when known.</summary>
    public static WebSocketVarz From(WebSocketOptions options, int? boundPort = null) => new()
    {
        // nats-server's baseline fills the host once a port is set.
        Host = options.Enabled ? options.EffectiveHost : NullIfEmpty(options.Host),
        Port = (boundPort ?? options.Port) is var port and not 0 ? port : null,
        Advertise = NullIfEmpty(options.Advertise),
        NoAuthUser = NullIfEmpty(options.NoAuthUser),
        JwtCookie = NullIfEmpty(options.JwtCookie),
        HandshakeTimeout = options.HandshakeTimeout > TimeSpan.Zero ? options.HandshakeTimeout : null,
        AuthTimeout = options.AuthTimeoutSeconds != 0 ? options.AuthTimeoutSeconds : null,
        NoTls = options.NoTls ? true : null,
        TlsMap = options.Tls?.VerifyAndMap == true ? true : null,
        TlsPinnedCerts = options.Tls is { PinnedCerts.Count: > 0 } tls ? tls.PinnedCerts : null,
        SameOrigin = options.SameOrigin ? true : null,
        AllowedOrigins = options.AllowedOrigins.Count > 0 ? options.AllowedOrigins : null,
        Compression = options.Compression ? true : null,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
