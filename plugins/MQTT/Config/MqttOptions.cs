using Nats.Core.Config;

namespace Nats.Mqtt.Config;

/// <summary>
/// The <c>mqtt {}</c> block, field for field as nats-server's <c>MQTTOpts</c>. Immutable and
/// compared by value, so that a reload sees an unchanged section as no change.
/// </summary>
public sealed record MqttOptions
{
    /// <summary>No <c>mqtt</c> block: the listener is off.</summary>
    public static readonly MqttOptions None = new();

    /// <summary>nats-server's default <c>ack_wait</c>.</summary>
    public static readonly TimeSpan DefaultAckWait = TimeSpan.FromSeconds(30);

    /// <summary>nats-server's default <c>max_ack_pending</c>.</summary>
    public const int DefaultMaxAckPending = 1024;

    /// <summary><c>host</c>/<c>net</c> or the host of <c>listen</c>; 0.0.0.0 when empty.</summary>
    public string Host { get; init; } = "";

    /// <summary><c>port</c> or the port of <c>listen</c>; 0 means off, -1 a random port.</summary>
    public int Port { get; init; }

    /// <summary><c>tls {}</c>, or null.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>The <c>authorization</c> block and <c>no_auth_user</c>, read, checked and applied as every client listener's.</summary>
    public ListenerAuth Auth { get; init; } = ListenerAuth.None;

    /// <summary><c>authorization { user }</c>: the one user of MQTT clients, instead of the server's.</summary>
    public string Username { get => Auth.Username; init => Auth = Auth with { Username = value }; }

    /// <summary><c>authorization { password }</c>.</summary>
    public string Password { get => Auth.Password; init => Auth = Auth with { Password = value }; }

    /// <summary><c>authorization { token }</c>.</summary>
    public string Token { get => Auth.Token; init => Auth = Auth with { Token = value }; }

    /// <summary><c>authorization { timeout }</c> in seconds; 0 means the server's.</summary>
    public double AuthTimeoutSeconds { get => Auth.TimeoutSeconds; init => Auth = Auth with { TimeoutSeconds = value }; }

    /// <summary><c>no_auth_user</c> for MQTT clients.</summary>
    public string NoAuthUser { get => Auth.NoAuthUser; init => Auth = Auth with { NoAuthUser = value }; }

    /// <summary><c>ack_wait</c>: how long a QoS 1/2 message waits for its PUBACK before redelivery; zero means 30s.</summary>
    public TimeSpan AckWait { get; init; }

    /// <summary><c>js_api_timeout</c>: how long a JetStream API request may take; zero means 5s.</summary>
    public TimeSpan JsApiTimeout { get; init; }

    /// <summary><c>max_ack_pending</c>: QoS 1/2 messages in flight per subscription; 0 means 1024.</summary>
    public int MaxAckPending { get; init; }

    /// <summary><c>js_domain</c>: the JetStream domain the sessions live in (<c>$JS.&lt;domain&gt;.API</c>).</summary>
    public string JsDomain { get; init; } = "";

    /// <summary><c>stream_replicas</c>; 0 means nats-server's choice (min(3, cluster size)).</summary>
    public int StreamReplicas { get; init; }

    /// <summary><c>consumer_memory_storage</c>: the QoS 1 consumers keep their state in memory.</summary>
    public bool ConsumerMemoryStorage { get; init; }

    /// <summary><c>consumer_inactive_threshold</c>: consumers of disconnected sessions are removed after this (zero: never).</summary>
    public TimeSpan ConsumerInactiveThreshold { get; init; }

    /// <summary><c>reject_qos2_publish</c>: QoS 2 PUBLISH closes the connection (CONNACK 0x10 for a QoS 2 will).</summary>
    public bool RejectQos2Publish { get; init; }

    /// <summary><c>downgrade_qos2_subscribe</c>: QoS 2 subscriptions are granted QoS 1.</summary>
    public bool DowngradeQos2Subscribe { get; init; }

    /// <summary>True when the listener runs (a port is set).</summary>
    public bool Enabled => Port != 0;

    /// <summary>The host to bind.</summary>
    public string EffectiveHost => Host.Length > 0 ? Host : "0.0.0.0";

    /// <summary>The ack wait in force.</summary>
    public TimeSpan EffectiveAckWait => AckWait > TimeSpan.Zero ? AckWait : DefaultAckWait;

    /// <summary>The max ack pending in force.</summary>
    public int EffectiveMaxAckPending => MaxAckPending > 0 ? MaxAckPending : DefaultMaxAckPending;

    /// <summary>The JS API timeout in force.</summary>
    public TimeSpan EffectiveJsApiTimeout => JsApiTimeout > TimeSpan.Zero ? JsApiTimeout : TimeSpan.FromSeconds(5);
}
