namespace Nats.Mqtt.Sessions;

/// <summary>One topic filter a client subscribed to, as its kernel subscription(s) carry it.</summary>
internal sealed class MqttSubscription
{
    /// <summary>The MQTT filter as sent (without a <c>$share/group/</c> prefix).</summary>
    public required string Filter { get; init; }

    /// <summary>The NATS subject it maps to.</summary>
    public required string Subject { get; init; }

    /// <summary>The shared subscription's group (a NATS queue group), or null.</summary>
    public string? Queue { get; init; }

    /// <summary>The granted QoS.</summary>
    public int Qos { get; set; }

    /// <summary>The filter starts with a wildcard: it never matches <c>$</c> topics [MQTT-4.7.2-1].</summary>
    public bool WildcardStart { get; init; }

    /// <summary>The kernel subscription ID (and the second one, for the parent level of <c>x/#</c>; 0 when none).</summary>
    public long Sid { get; set; }

    public long LevelUpSid { get; set; }

    /// <summary>MQTT 5 No Local: messages this connection published are not sent back.</summary>
    public bool NoLocal { get; init; }

    /// <summary>MQTT 5 Retain As Published.</summary>
    public bool RetainAsPublished { get; init; }

    /// <summary>MQTT 5 Retain Handling (0 send, 1 send if new, 2 do not send).</summary>
    public int RetainHandling { get; init; }

    /// <summary>MQTT 5 subscription identifier, 0 when none.</summary>
    public uint Identifier { get; init; }

    /// <summary>The JetStream consumer that delivers its QoS 1/2 messages, or null (QoS 0).</summary>
    public SubscriptionConsumer? Consumer { get; set; }

    /// <summary>The key in the subscription table: the filter, with its share group.</summary>
    public string Key => Queue is null ? Filter : "$share/" + Queue + "/" + Filter;
}

/// <summary>
/// The durable consumer of a QoS 1/2 subscription on <c>$MQTT_msgs</c> and the in-process
/// subscription on its deliver subject. A re-SUBSCRIBE with QoS 1/2 hands it to the new
/// <see cref="MqttSubscription"/> (no message is lost in between).
/// </summary>
internal sealed class SubscriptionConsumer(string durable, string deliverSubject, string[] filters, bool shared)
{
    public string Durable { get; } = durable;

    public string DeliverSubject { get; } = deliverSubject;

    /// <summary>The stream subjects it takes (<c>$MQTT.msgs.x.&gt;</c> and <c>$MQTT.msgs.x</c> for <c>x/#</c>).</summary>
    public string[] Filters { get; } = filters;

    /// <summary>A shared subscription's consumer: one per group and filter, kept when a member leaves.</summary>
    public bool Shared { get; } = shared;

    /// <summary>The subscription its messages are for (read by the delivery task, set by the read loop).</summary>
    public volatile MqttSubscription? Subscription;

    /// <summary>The in-process subscription on <see cref="DeliverSubject"/>, while the client is connected.</summary>
    public IDisposable? Delivery { get; set; }
}
