using Nats.Core.Plugins;

namespace Nats.Mqtt.Config;

/// <summary>
/// What a reload may change in <c>mqtt {}</c>, by nats-server's rule (<c>reload.go</c>, case
/// "mqtt"): <c>ack_wait</c>, <c>max_ack_pending</c>, <c>stream_replicas</c>,
/// <c>consumer_memory_storage</c>, <c>consumer_inactive_threshold</c> and the TLS certificates
/// (they apply to sessions started after the reload). Everything else needs a restart, and the
/// rejection names the option.
/// </summary>
internal static class MqttReloadRules
{
    private static readonly (string Name, Func<MqttOptions, object?> Value)[] Fixed =
    [
        ("host", o => o.Host),
        ("port", o => o.Port),
        ("no_auth_user", o => o.NoAuthUser),
        ("authorization.user", o => o.Username),
        ("authorization.password", o => o.Password),
        ("authorization.token", o => o.Token),
        ("authorization.timeout", o => o.AuthTimeoutSeconds),
        ("js_domain", o => o.JsDomain),
        ("js_api_timeout", o => o.JsApiTimeout),
        ("reject_qos2_publish", o => o.RejectQos2Publish),
        ("downgrade_qos2_subscribe", o => o.DowngradeQos2Subscribe),
        ("tls.verify_and_map", o => o.Tls?.VerifyAndMap ?? false),
    ];

    /// <summary>Reports on <paramref name="validation"/> every change that cannot be made live (the TLS block: <see cref="ListenerTlsReload"/>).</summary>
    public static void Check(MqttOptions current, MqttOptions proposed, ReloadValidation validation)
    {
        foreach (var (name, value) in Fixed)
        {
            var before = value(current);
            var after = value(proposed);
            if (!Equals(before, after))
            {
                var secret = name is "authorization.password" or "authorization.token";
                validation.NotReloadable($"mqtt.{name}", secret ? "[REDACTED]" : before, secret ? "[REDACTED]" : after);
            }
        }
        if (current.AckWait != proposed.AckWait)
        {
            validation.Changed("mqtt.ack_wait");
        }
        if (current.MaxAckPending != proposed.MaxAckPending)
        {
            validation.Changed("mqtt.max_ack_pending");
        }
        if (current.StreamReplicas != proposed.StreamReplicas)
        {
            validation.Changed("mqtt.stream_replicas");
        }
        if (current.ConsumerMemoryStorage != proposed.ConsumerMemoryStorage)
        {
            validation.Changed("mqtt.consumer_memory_storage");
        }
        if (current.ConsumerInactiveThreshold != proposed.ConsumerInactiveThreshold)
        {
            validation.Changed("mqtt.consumer_inactive_threshold");
        }
    }
}
