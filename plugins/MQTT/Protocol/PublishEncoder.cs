using System.Buffers;
using System.Buffers.Binary;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// Writes outbound PUBLISH packets straight into the connection's buffer: the one packet on the
/// delivery hot path, so it is encoded here without building a packet object per message (the
/// other packets go through MQTTnet's formatters).
/// </summary>
internal static class PublishEncoder
{
    /// <summary>The size of the PUBLISH <see cref="Write"/> would write (fixed header included).</summary>
    public static long Size(bool v5, int topicLength, int qos, int propertiesLength, int payloadLength, ushort topicAlias)
    {
        propertiesLength += topicAlias > 0 ? 3 : 0;
        var remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + payloadLength;
        if (v5)
        {
            remaining += PacketFraming.VariableIntSize(propertiesLength) + propertiesLength;
        }
        return 1 + PacketFraming.VariableIntSize(remaining) + (long)remaining;
    }

    /// <summary>Writes a PUBLISH.</summary>
    /// <param name="output">The connection's outbound buffer.</param>
    /// <param name="v5">MQTT 5 (a property block follows the packet identifier).</param>
    /// <param name="topic">The topic, UTF-8 (empty with a topic alias in <paramref name="properties"/>).</param>
    /// <param name="qos">0, 1 or 2.</param>
    /// <param name="retain">The RETAIN flag.</param>
    /// <param name="dup">The DUP flag (a redelivery).</param>
    /// <param name="packetId">The packet identifier (QoS 1 and 2).</param>
    /// <param name="properties">The encoded MQTT 5 properties (without their length).</param>
    /// <param name="payload">The application message.</param>
    /// <param name="topicAlias">MQTT 5 topic alias to add to the properties (0: none).</param>
    /// <param name="aliasOnly">The client knows the alias: the topic is sent empty.</param>
    public static void Write(IBufferWriter<byte> output, bool v5, ReadOnlySpan<byte> topic, int qos, bool retain, bool dup, ushort packetId, ReadOnlySpan<byte> properties, ReadOnlySpan<byte> payload,
        ushort topicAlias = 0, bool aliasOnly = false)
    {
        if (aliasOnly)
        {
            topic = default;
        }
        var propertiesLength = properties.Length + (topicAlias > 0 ? 3 : 0);
        var remaining = 2 + topic.Length + (qos > 0 ? 2 : 0) + payload.Length;
        if (v5)
        {
            remaining += PacketFraming.VariableIntSize(propertiesLength) + propertiesLength;
        }
        var headerSize = 1 + PacketFraming.VariableIntSize(remaining);
        var total = headerSize + remaining;
        var span = output.GetSpan(total);
        span[0] = (byte)(0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0));
        var at = 1 + PacketFraming.WriteVariableInt(span[1..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)topic.Length);
        at += 2;
        topic.CopyTo(span[at..]);
        at += topic.Length;
        if (qos > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], packetId);
            at += 2;
        }
        if (v5)
        {
            at += PacketFraming.WriteVariableInt(span[at..], propertiesLength);
            properties.CopyTo(span[at..]);
            at += properties.Length;
            if (topicAlias > 0)
            {
                span[at] = 0x23;
                BinaryPrimitives.WriteUInt16BigEndian(span[(at + 1)..], topicAlias);
                at += 3;
            }
        }
        payload.CopyTo(span[at..]);
        output.Advance(total);
    }
}
