using System.Buffers;
using System.Buffers.Binary;

namespace Nats.Mqtt.Protocol;

/// <summary>
/// The protocol name and level at the start of a CONNECT body, read before the packet is
/// decoded: a level the server does not speak gets CONNACK 0x01 (nats-server's "unacceptable
/// protocol version"), and MQTT 3.1's <c>MQIsdp</c> gets no answer at all.
/// </summary>
internal static class ConnectPreview
{
    /// <summary>The protocol level; -1 for a body too short or not MQTT/MQIsdp (malformed).</summary>
    public static int ReadLevel(in ReadOnlySequence<byte> body, out bool isMqisdp)
    {
        isMqisdp = false;
        Span<byte> head = stackalloc byte[9];
        if (body.Length < 7)
        {
            return -1;
        }
        var length = (int)Math.Min(body.Length, head.Length);
        body.Slice(0, length).CopyTo(head);
        var nameLength = BinaryPrimitives.ReadUInt16BigEndian(head);
        if (nameLength == 4 && head[2..6].SequenceEqual("MQTT"u8))
        {
            return head[6];
        }
        if (nameLength == 6 && length >= 9 && head[2..8].SequenceEqual("MQIsdp"u8))
        {
            isMqisdp = true;
            return head[8];
        }
        return -1;
    }
}
