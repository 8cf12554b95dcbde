using System.Buffers;
using System.Buffers.Text;
using Nats.Core.Connections;
using Nats.Core.Subjects;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    // Written under the output lock only (deliveries come from many publishers' threads).

    /// <inheritdoc />
    bool IClientDeliveryTarget.Deliver(ReadOnlySpan<byte> sid, in MessageView message)
    {
        if (!Utf8Parser.TryParse(sid, out long id, out _) || _bySid is not { } bySid || !bySid.TryGetValue(id, out var subscription))
        {
            return false;
        }
        Deliver(subscription, message.Subject, message.Reply, message.Headers, message.Payload);
        _output.FlushAtBatchEnd();
        return true;
    }

    /// <summary>A kernel delivery (QoS 0) to one of the client's subscriptions, unless MQTT's rules skip it.</summary>
    private void Deliver(MqttSubscription subscription, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        // [MQTT-4.7.2-1]: filters starting with a wildcard do not match topics starting with '$'.
        if (subscription.WildcardStart && subject.Length > 0 && subject[0] == (byte)'$')
        {
            return;
        }
        // A QoS 1/2 message reaches a QoS 1/2 subscription through its JetStream consumer instead.
        if (subscription.Consumer is not null && NatsHeaders.PublishedQos(headers) > 0)
        {
            return;
        }
        // MQTT 5 No Local [MQTT-3.8.3-3]: not sent back to the client that published it.
        if (subscription.NoLocal && NatsHeaders.PublishedBy(headers, _sourceIdBytes))
        {
            return;
        }
        DeliverQos0(subscription, subject, reply, headers, payload);
    }

    /// <summary>Encodes a PUBLISH (QoS 0, no packet ID) into the outbound buffer; flushed at the end of the batch.</summary>
    private void DeliverQos0(MqttSubscription subscription, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        Span<byte> topicBuffer = subject.Length <= 1024 ? stackalloc byte[subject.Length] : new byte[subject.Length];
        var topic = topicBuffer[..MqttTopics.ToTopic(subject, topicBuffer)];
        // MQTT 5 Retain As Published: the RETAIN flag as the publisher set it (else 0 on live deliveries).
        var retain = subscription.RetainAsPublished && NatsHeaders.PublishedRetain(headers);
        var output = _output.Begin();
        if (output is null)
        {
            return;
        }
        try
        {
            ReadOnlySpan<byte> properties = default;
            if (IsV5)
            {
                properties = DeliveryProperties(PropertyWriter.ForThread, subscription, reply, headers);
            }
            if (!FitsClient(topic, qos: 0, properties.Length, payload.Length, out var alias, out var known))
            {
                return;
            }
            PublishEncoder.Write(output, IsV5, topic, qos: 0, retain, dup: false, packetId: 0, properties, payload, alias, known);
        }
        finally
        {
            _output.End(flush: false);
        }
    }

    /// <summary>The MQTT 5 properties of a delivery: subscription identifier, and the headers as user properties and MQTT fields.</summary>
    private static ReadOnlySpan<byte> DeliveryProperties(PropertyWriter writer, MqttSubscription subscription, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> headers)
    {
        writer.Reset();
        if (subscription.Identifier > 0)
        {
            writer.VariableInt(0x0B, (int)subscription.Identifier);
        }
        if (!reply.IsEmpty)
        {
            // A NATS reply subject is the MQTT 5 response topic, so MQTT clients answer NATS requests.
            Span<byte> topic = reply.Length <= 512 ? stackalloc byte[reply.Length] : new byte[reply.Length];
            writer.Binary(0x08, topic[..MqttTopics.ToTopic(reply, topic)]);
        }
        if (!headers.IsEmpty)
        {
            NatsHeaders.ForEach(headers, ref writer, static (ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref PropertyWriter w) => HeaderToProperty(w, name, value));
        }
        return writer.Written;
    }

    private static void HeaderToProperty(PropertyWriter writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (System.Text.Ascii.EqualsIgnoreCase(name, "Nmqtt-Pub"u8))
        {
            return;
        }
        if (System.Text.Ascii.EqualsIgnoreCase(name, HeaderBuilder.ContentType))
        {
            writer.Binary(0x03, value);
        }
        else if (System.Text.Ascii.EqualsIgnoreCase(name, HeaderBuilder.CorrelationData))
        {
            var decoded = new byte[value.Length];
            if (Convert.TryFromBase64Chars(System.Text.Encoding.ASCII.GetString(value), decoded, out var written))
            {
                writer.Binary(0x09, decoded.AsSpan(0, written));
            }
        }
        else if (System.Text.Ascii.EqualsIgnoreCase(name, HeaderBuilder.PayloadFormat))
        {
            writer.Byte(0x01, 1);
        }
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "Nats-TTL"u8) || name.StartsWith("Nmqtt-"u8))
        {
            // The expiry is JetStream's to enforce; the other Nmqtt- headers are this plugin's own bookkeeping.
        }
        else
        {
            writer.Pair(0x26, name, value);
        }
    }

    // Topic -> alias the client was told (MQTT 5, up to its Topic Alias Maximum); guarded by the output lock, as the packets carrying them are written in that order.
    // Created with the first alias given.
    private Dictionary<string, ushort>? _outboundAliases;
    private ushort _clientTopicAliasMaximum;

    /// <summary>
    /// The topic alias of a PUBLISH to the client (the output lock is held): an alias it knows
    /// (<paramref name="known"/>: the topic is left out), a new one while the client's maximum
    /// allows, else 0 (the topic goes in full).
    /// </summary>
    private ushort OutboundAlias(ReadOnlySpan<byte> topic, out bool known, bool commit = true)
    {
        known = false;
        if (_clientTopicAliasMaximum == 0)
        {
            return 0;
        }
        var key = System.Text.Encoding.UTF8.GetString(topic);
        _outboundAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
        if (_outboundAliases.TryGetValue(key, out var alias))
        {
            known = true;
            return alias;
        }
        if (_outboundAliases.Count >= _clientTopicAliasMaximum)
        {
            return 0;
        }
        alias = (ushort)(_outboundAliases.Count + 1);
        if (commit)
        {
            _outboundAliases[key] = alias;
        }
        return alias;
    }

    /// <summary>
    /// The topic alias of a PUBLISH (as <see cref="OutboundAlias"/>), or false when the packet
    /// would exceed the MQTT 5 client's Maximum Packet Size: such a packet is not sent
    /// [MQTT-3.1.2-24], and no alias is given for it. The output lock is held.
    /// </summary>
    private bool FitsClient(ReadOnlySpan<byte> topic, int qos, int propertiesLength, int payloadLength, out ushort alias, out bool known)
    {
        if (_clientMaxPacketSize == uint.MaxValue)
        {
            alias = OutboundAlias(topic, out known);
            return true;
        }
        alias = OutboundAlias(topic, out known, commit: false);
        if (PublishEncoder.Size(IsV5, known ? 0 : topic.Length, qos, propertiesLength, payloadLength, alias) > _clientMaxPacketSize)
        {
            return false;
        }
        if (alias > 0 && !known)
        {
            OutboundAlias(topic, out _);
        }
        return true;
    }
}
