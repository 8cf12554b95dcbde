namespace Nats.Mqtt.Store;

/// <summary>nats-server's MQTT stream names and subjects (server/mqtt.go), so tools see the same layout.</summary>
internal static class StreamNames
{
    /// <summary>QoS 1/2 messages, on <c>$MQTT.msgs.&lt;subject&gt;</c> (interest retention: kept while a QoS 1/2 subscription's consumer wants them).</summary>
    public const string Messages = "$MQTT_msgs";
    public const string MessagesPrefix = "$MQTT.msgs.";

    /// <summary>Retained messages, one per subject on <c>$MQTT.rmsgs.&lt;subject&gt;</c>.</summary>
    public const string Retained = "$MQTT_rmsgs";
    public const string RetainedPrefix = "$MQTT.rmsgs.";

    /// <summary>Session records, one per client on <c>$MQTT.sess.[&lt;domain&gt;.]&lt;hash8(client id)&gt;</c>.</summary>
    public const string Sessions = "$MQTT_sess";
    public const string SessionsPrefix = "$MQTT.sess.";

    /// <summary>Inbound QoS 2 messages awaiting their PUBREL, on <c>$MQTT.qos2.in.&lt;client id&gt;.&lt;packet id&gt;</c>.</summary>
    public const string Qos2In = "$MQTT_qos2in";
    public const string Qos2InPrefix = "$MQTT.qos2.in.";

    /// <summary>Outbound PUBRELs awaiting their PUBCOMP, on <c>$MQTT.out.pubrel.&lt;hash8(client id)&gt;</c>.</summary>
    public const string Out = "$MQTT_out";
    public const string OutPrefix = "$MQTT.out.";
    public const string PubRelPrefix = "$MQTT.out.pubrel.";
    public const string PubRelDeliverPrefix = "$MQTT.deliver.pubrel.";
    public const string PubRelDurablePrefix = "$MQTT_PUBREL_";

    /// <summary>The durable name prefix of a shared subscription's consumer (one per group and filter).</summary>
    public const string SharedDurablePrefix = "share_";

    /// <summary>Deliver subjects of the QoS 1/2 consumers (<c>$MQTT.sub.&lt;nuid&gt;</c>).</summary>
    public const string DeliverPrefix = "$MQTT.sub.";
}
