using System.Text.Json.Serialization;
using Nats.Core.Monitoring;
using Nats.Mqtt.Config;

namespace Nats.Mqtt;

/// <summary>The <c>/varz</c> <c>mqtt</c> block, nats-server's <c>MQTTOptsVarz</c> (null stands for omitempty).</summary>
public sealed class MqttVarz
{
    [JsonPropertyName("host")] public string? Host { get; init; }
    [JsonPropertyName("port")] public int? Port { get; init; }
    [JsonPropertyName("no_auth_user")] public string? NoAuthUser { get; init; }
    [JsonPropertyName("auth_timeout")] public double? AuthTimeout { get; init; }
    [JsonPropertyName("tls_map")] public bool? TlsMap { get; init; }
    [JsonPropertyName("tls_timeout")] public double? TlsTimeout { get; init; }
    [JsonPropertyName("tls_pinned_certs")] public IReadOnlyList<string>? TlsPinnedCerts { get; init; }
    [JsonPropertyName("js_domain")] public string? JsDomain { get; init; }
    [JsonPropertyName("ack_wait"), JsonConverter(typeof(GoNanosecondsConverter))] public TimeSpan? AckWait { get; init; }
    [JsonPropertyName("max_ack_pending")] public int? MaxAckPending { get; init; }

    /// <summary>The block for <paramref name="options"/>, with the port actually bound when known.</summary>
    public static MqttVarz From(MqttOptions options, int? boundPort = null) => new()
    {
        Host = options.Enabled ? options.EffectiveHost : (options.Host.Length > 0 ? options.Host : null),
        Port = (boundPort ?? options.Port) is var port and not 0 ? port : null,
        NoAuthUser = options.NoAuthUser.Length > 0 ? options.NoAuthUser : null,
        AuthTimeout = options.AuthTimeoutSeconds != 0 ? options.AuthTimeoutSeconds : null,
        TlsMap = options.Tls?.VerifyAndMap == true ? true : null,
        TlsPinnedCerts = options.Tls is { PinnedCerts.Count: > 0 } tls ? tls.PinnedCerts : null,
        JsDomain = options.JsDomain.Length > 0 ? options.JsDomain : null,
        AckWait = options.AckWait > TimeSpan.Zero ? options.AckWait : null,
        MaxAckPending = options.MaxAckPending > 0 ? options.MaxAckPending : null,
    };
}
