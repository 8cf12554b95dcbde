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

    /// <summary>The JetStream consumer that delivers its QoS 1/2 messages (durable name), or null.</summary>
    public string? Consumer { get; set; }

    /// <summary>The subject that consumer delivers to.</summary>
    public string? DeliverSubject { get; set; }

    /// <summary>The key in the subscription table: the filter, with its share group.</summary>
    public string Key => Queue is null ? Filter : "$share/" + Queue + "/" + Filter;
}
